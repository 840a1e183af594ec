package dev.canopy.catalog.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/** A template's editable fields as given (null: not given), checked all at once. */
public record TemplateDraft(@Nullable String name, @Nullable String description, @Nullable String driver,
        @Nullable List<String> tags, @Nullable Boolean locked) {

    private static final Pattern TAG = Pattern.compile("^[a-z0-9][a-z0-9._:/-]{0,49}$");
    private static final int MAX_TAGS = 20;

    /** Checked values; a driver is required only for a new template. */
    public record Checked(String name, String description, @Nullable Driver driver, List<String> tags,
            boolean locked) {
    }

    public Checked check(boolean creating) {
        var errors = new ArrayList<FieldError>();
        String checkedName = name == null ? null : name.strip();
        if (creating && checkedName == null) {
            errors.add(new FieldError("name", "is required"));
        }
        else if (checkedName != null && (checkedName.isEmpty() || checkedName.length() > 100)) {
            errors.add(new FieldError("name", "must be 1 to 100 characters"));
        }
        if (description != null && description.length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }
        Driver checkedDriver = null;
        if (creating && driver == null) {
            errors.add(new FieldError("driver", "is required: one of " + String.join(", ", Driver.keys())));
        }
        else if (driver != null) {
            checkedDriver = Driver.of(driver).orElse(null);
            if (checkedDriver == null) {
                errors.add(new FieldError("driver", "must be one of " + String.join(", ", Driver.keys())));
            }
        }
        var checkedTags = new LinkedHashSet<String>();
        if (tags != null) {
            if (tags.size() > MAX_TAGS) {
                errors.add(new FieldError("tags", "must be at most " + MAX_TAGS));
            }
            for (String tag : tags) {
                if (tag == null || !TAG.matcher(tag).matches()) {
                    errors.add(new FieldError("tags", "must be lower-case words of at most 50 characters "
                            + "(letters, digits, . _ : / -)"));
                    break;
                }
                checkedTags.add(tag);
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.",
                    errors);
        }
        return new Checked(checkedName == null ? "" : checkedName, description == null ? "" : description.strip(),
                checkedDriver, List.copyOf(checkedTags), Boolean.TRUE.equals(locked));
    }
}
