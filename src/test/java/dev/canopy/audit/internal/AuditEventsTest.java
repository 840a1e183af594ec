package dev.canopy.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The byte-order range that stands for "starts with" in action-prefix searches. */
class AuditEventsTest {

    private static final String MAX = Character.toString(Character.MAX_CODE_POINT);

    @Test
    void theEndOfAPrefixRangeIsItsLastCharacterPlusOne() {
        assertThat(AuditEvents.prefixEnd("auth.")).isEqualTo("auth/");
        assertThat(AuditEvents.prefixEnd("user_")).isEqualTo("user`");
        assertThat(AuditEvents.prefixEnd("a" + MAX)).isEqualTo("b");
        assertThat(AuditEvents.prefixEnd("a" + MAX + MAX)).isEqualTo("b");
        assertThat(AuditEvents.prefixEnd("x\uD7FF")).isEqualTo("x\uE000");
        assertThat(AuditEvents.prefixEnd("é")).isEqualTo("ê");
        assertThat(AuditEvents.prefixEnd("😀")).isEqualTo("😁");
        assertThat(AuditEvents.prefixEnd(MAX)).isNull();
    }

    @Test
    void everyTextWithThePrefixFallsInTheRangeAndNoOtherDoes() {
        List<String> prefixes = List.of("auth.", "a", "é", "😀", "x\uD7FF", "a" + MAX);
        List<String> texts = List.of("", "a", "auth", "auth.", "auth.login", "auth/", "auth.\uFFFF", "auth." + MAX,
                "b", "é", "éa", "ê", "😀", "😀x", "😁", "x\uD7FF", "x\uD7FFz", "x\uE000", "a" + MAX, "a" + MAX + "z", "b");
        for (String prefix : prefixes) {
            String end = AuditEvents.prefixEnd(prefix);
            for (String text : texts) {
                boolean inRange = compare(text, prefix) >= 0 && (end == null || compare(text, end) < 0);
                assertThat(inRange).as(prefix + " / " + text).isEqualTo(text.startsWith(prefix));
            }
        }
    }

    /** What PostgreSQL's ~<~ compares: the UTF-8 bytes. */
    private static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
