package dev.canopy.platform.events;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** What an event is about: {@code {type: "deployment", id, name}}. */
public record EventSubject(String type, UUID id, @Nullable String name) {
}
