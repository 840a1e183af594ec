package dev.canopy.access;

/** A role a tenant can give, as forms offer it: a built-in role by its key, a custom role by its id. */
public record RoleChoice(String key, String name, String description, boolean builtIn) {
}
