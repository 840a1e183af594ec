package dev.canopy.access.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A new custom role as the API and the console receive it; the constraints are the rules for both. */
public record RoleDraft(@NotBlank @Size(max = 100) @Pattern(regexp = ".*\\S.*") String name,
        @Nullable @Size(max = 500) String description,
        @NotNull @Size(max = 500) List<@NotBlank @Size(max = 200) String> permissions) {
}
