package dev.canopy.cloud.internal;

import java.util.regex.Pattern;

/** One setting or credential a provider knows: whether it is required, its shape, and what to say when it is wrong. */
record Field(String name, boolean required, Pattern pattern, int maxLength, String shape) {

    static Field required(String name, String regex, int maxLength, String shape) {
        return new Field(name, true, Pattern.compile(regex, Pattern.DOTALL), maxLength, shape);
    }

    static Field optional(String name, String regex, int maxLength, String shape) {
        return new Field(name, false, Pattern.compile(regex, Pattern.DOTALL), maxLength, shape);
    }

    /** Null when the value fits, else the message for the field error. */
    String problem(String value) {
        if (value.length() > maxLength) {
            return "must be at most " + maxLength + " characters";
        }
        return pattern.matcher(value).matches() ? null : "must be " + shape;
    }
}
