package dev.canopy.notifications.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/**
 * The caller's notification preferences, by event family ({@code run}) and type ({@code run.failed}): in-app is
 * always on; mail is opt-in and arrives as a digest. A PUT replaces every stored choice with the ones it names.
 */
@RestController
class PreferencesController {

    private static final String PATH = "/api/v1/users/me/notification-preferences";

    private final MailPreferences preferences;

    PreferencesController(MailPreferences preferences) {
        this.preferences = preferences;
    }

    record Choice(@Nullable Boolean inApp, @Nullable Boolean mail) {
    }

    record Preferences(@Nullable Map<String, Choice> preferences) {
    }

    /** Every family and type with what the caller gets: a type's own choice, else its family's. */
    @GetMapping(PATH)
    Preferences get(@AuthenticationPrincipal CanopyPrincipal principal) {
        Map<String, Boolean> stored = preferences.of(principal.userId());
        var all = new LinkedHashMap<String, Choice>();
        for (String event : known()) {
            all.put(event, new Choice(true, MailPreferences.mails(stored, event)));
        }
        return new Preferences(all);
    }

    @PutMapping(PATH)
    Preferences put(@AuthenticationPrincipal CanopyPrincipal principal, @RequestBody Preferences body) {
        if (body.preferences() == null) {
            throw ApiException.invalidField("preferences", "is required");
        }
        var errors = new ArrayList<FieldError>();
        var choices = new LinkedHashMap<String, Boolean>();
        body.preferences().forEach((event, choice) -> {
            String field = "preferences." + event;
            if (!known().contains(event)) {
                errors.add(new FieldError(field, "is not an event type or family that notifies"));
            }
            else if (choice == null || choice.mail() == null) {
                errors.add(new FieldError(field + ".mail", "is required"));
            }
            else if (Boolean.FALSE.equals(choice.inApp())) {
                errors.add(new FieldError(field + ".in_app", "cannot be turned off"));
            }
            else {
                choices.put(event, choice.mail());
            }
        });
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.valueOf(422), "INVALID_PREFERENCES",
                    "The preferences name unknown event types or invalid choices.", errors);
        }
        preferences.replace(principal.userId(), choices);
        return get(principal);
    }

    private static List<String> known() {
        var all = new TreeSet<String>(NoticeCatalog.FAMILIES);
        all.addAll(NoticeCatalog.TYPES);
        return List.copyOf(all);
    }
}
