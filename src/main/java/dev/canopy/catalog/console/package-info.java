/** The console's template catalog pages: catalog, template detail and upload, access-request inbox, schema forms. */
@NullMarked
package dev.canopy.catalog.console;

import org.jspecify.annotations.NullMarked;
