package dev.canopy.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OWASP's CSV injection advice for every character a spreadsheet reads as the start of a formula. */
class CsvFieldTest {

    @ParameterizedTest
    @ValueSource(strings = { "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd" })
    void aCellThatWouldRunAsAFormulaStartsWithAnApostrophe(String cell) {
        String field = EventFormat.csvField(cell);

        String unquoted = field.startsWith("\"") ? field.substring(1, field.length() - 1) : field;
        assertThat(unquoted).isEqualTo("'" + cell);
    }

    @ParameterizedTest
    @ValueSource(strings = { "user.created", "a=b", "", "'quoted" })
    void otherCellsStayAsTheyAre(String cell) {
        assertThat(EventFormat.csvField(cell)).isEqualTo(cell);
    }
}
