package dev.canopy.support;

import java.util.Comparator;

import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Orders test classes by name, except that those annotated {@link Last} run after all others: the log check must
 * see what the secret-handling tests logged. Configured in {@code junit-platform.properties}.
 */
public class RunsLast implements ClassOrderer {

    /** Marks a test class that must run after every other one. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    public @interface Last {
    }

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator
                .comparing((ClassDescriptor d) -> d.isAnnotated(Last.class))
                .thenComparing(d -> d.getTestClass().getName()));
    }
}
