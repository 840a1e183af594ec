package dev.canopy.access.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A new group, tenant-wide or scoped to a business unit, as the API and the console receive it. */
public record GroupDraft(@NotBlank @Size(max = 100) @Pattern(regexp = ".*\\S.*") String name,
        @Nullable @Size(max = 500) String description, @Nullable UUID businessUnitId) {
}
