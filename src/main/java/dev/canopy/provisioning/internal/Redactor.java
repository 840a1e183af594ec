package dev.canopy.provisioning.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces secret values (secret inputs, a cloud account's credentials) wherever they appear in a text, before
 * the text is stored. Values shorter than four characters are left alone: they would blank out ordinary words.
 */
final class Redactor {

    static final String MASK = "********";
    private final List<String> secrets;

    Redactor(Collection<String> secrets) {
        // longest first, so a secret containing another is masked whole
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    String redact(String text) {
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
