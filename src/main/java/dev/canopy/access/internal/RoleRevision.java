package dev.canopy.access.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Changes to a custom role (null: unchanged) with the version they were made on, for the API and the console. */
public record RoleRevision(@Nullable @Size(min = 1, max = 100) @Pattern(regexp = ".*\\S.*") String name,
        @Nullable @Size(max = 500) String description,
        @Nullable @Size(max = 500) List<@jakarta.validation.constraints.NotBlank @Size(max = 200) String> permissions,
        @NotNull Long version) {
}
