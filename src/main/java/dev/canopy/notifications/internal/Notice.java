package dev.canopy.notifications.internal;

import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** What an event tells one recipient, before it is stored as their {@link Notification}. */
record Notice(UUID recipient, String title, String message, String severity, @Nullable String link) {

    static final Set<String> SEVERITIES = Set.of("info", "success", "warning", "error");

    Notice {
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("Unknown severity " + severity);
        }
        title = clip(title, 200);
        message = clip(message, 2000);
    }

    /** Names come from users (a deployment's name): one line, bounded, so a notice always fits its columns. */
    private static String clip(String text, int max) {
        String line = text.replaceAll("[\\r\\n]+", " ").strip();
        if (line.isEmpty()) {
            line = "-";
        }
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }
}
