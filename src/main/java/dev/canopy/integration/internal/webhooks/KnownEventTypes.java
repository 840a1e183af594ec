package dev.canopy.integration.internal.webhooks;

import java.util.Set;
import java.util.TreeSet;

import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.stereotype.Component;

import dev.canopy.platform.events.EventType;

/**
 * The names a webhook may subscribe to: every {@link EventType} of Canopy's domain events, found once at start on
 * the class path, so a new event is subscribable without a list to keep in step.
 */
@Component
class KnownEventTypes {

    /** Subscribes to every type, present and future. */
    static final String ALL = "*";

    private final Set<String> names;

    KnownEventTypes() {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(EventType.class));
        var found = new TreeSet<String>();
        for (var candidate : scanner.findCandidateComponents("dev.canopy")) {
            try {
                EventType type = Class.forName(candidate.getBeanClassName()).getAnnotation(EventType.class);
                if (type != null) {
                    found.add(type.value());
                }
            }
            catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        this.names = Set.copyOf(found);
    }

    boolean known(String name) {
        return ALL.equals(name) || names.contains(name);
    }

    Set<String> names() {
        return new TreeSet<>(names);
    }
}
