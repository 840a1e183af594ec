package dev.canopy.catalog.internal;

/** A template as a tenant's catalog shows it: its own, or one its MSP shares with it (then read-only). */
public record CatalogEntry(Template template, boolean shared) {
}
