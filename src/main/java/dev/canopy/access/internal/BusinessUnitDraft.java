package dev.canopy.access.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A new business unit as the API and the console receive it: a short code, a name, an optional owner. */
public record BusinessUnitDraft(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_-]{0,31}") String code,
        @NotBlank @Size(max = 100) @Pattern(regexp = ".*\\S.*") String name, @Nullable UUID ownerId) {
}
