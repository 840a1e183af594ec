package dev.canopy.platform.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the audit action of an API handler, e.g. {@code @Audited(action = "tenant.created",
 * resource = "tenant")}. Every mutating request is recorded; this says what it was.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Audited {

    /** The action recorded on success, in past tense: {@code user.created}. */
    String action();

    /** The action recorded when the request fails; defaults to {@link #action()} with status failure. */
    String failure() default "";

    /** The type of resource acted on: {@code tenant}, {@code user}, {@code session}. */
    String resource() default "";

    /**
     * Whether a success is recorded too. Only for requests that change no resource, such as a token refresh
     * continuing a session: failures and denials are recorded whatever this says.
     */
    boolean recordSuccess() default true;

    /**
     * Whether the request body is recorded (after redaction). Off where the body may hold secrets the redactor
     * cannot recognise by their key, such as template inputs a schema marks secret.
     */
    boolean recordRequest() default true;

    /**
     * Whether the request runs in one transaction that the audit record commits with. Off for handlers that wait
     * on the network (testing a cloud account): they open short transactions of their own, and the record is
     * appended in one of its own afterwards.
     */
    boolean requestTransaction() default true;
}
