package dev.canopy.platform.events;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A domain event's stable name ({@code family.past_tense}, e.g. {@code run.succeeded}) and schema version. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {

    String value();

    /** Raised when {@code data} changes incompatibly; consumers read the version before the data. */
    int version() default 1;
}
