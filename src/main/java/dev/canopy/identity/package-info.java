/**
 * Users, tenant memberships, login, sessions and access tokens. Other modules use {@link Members},
 * {@link Accounts} and provide a {@link TenantDirectory}.
 */
@NullMarked
package dev.canopy.identity;

import org.jspecify.annotations.NullMarked;
