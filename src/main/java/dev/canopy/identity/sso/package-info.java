/**
 * Per-tenant OIDC single sign-on: configuration with presets, validation against the provider, the
 * authorization-code login (PKCE, state, nonce), identity linking, just-in-time provisioning and
 * group-to-role mapping. Internal to the identity module; sessions come from its {@code SignIn}.
 */
@NullMarked
package dev.canopy.identity.sso;

import org.jspecify.annotations.NullMarked;
