package dev.canopy.platform.events;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** Who caused an event: {@code user}, {@code delegated}, {@code api_key}, or {@code system} (Canopy itself). */
public record EventActor(String type, @Nullable UUID id, String display) {

    /** Canopy itself, e.g. {@code system:ttl} for a TTL's destroy; {@code display} says which part. */
    public static EventActor system(String display) {
        return new EventActor("system", null, display);
    }
}
