package dev.canopy.notifications.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** One in-app notification of one user in one tenant, as the API shows it. */
record Notification(UUID id, String type, String title, String message, String severity, @Nullable String link,
        boolean read, Instant createdAt) {
}
