package dev.canopy.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.canopy.platform.Redaction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captures every log event (any logger, any thread, with {@code dev.canopy} at DEBUG) while a secret-handling test
 * class runs, and collects the secret values those tests use: registered explicitly, or found under
 * secret-looking keys of the JSON that {@link Api} sends and receives. {@code SecretsStayOutOfLogsTest} then
 * asserts that no secret appears in the captured output.
 */
public final class SecretLogCapture implements BeforeAllCallback, AfterAllCallback {

    /** Secrets shorter than this would match by chance (six-digit codes, short words). */
    static final int MIN_SECRET_LENGTH = 8;

    private static final List<String> LINES = Collections.synchronizedList(new ArrayList<>());
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final Set<String> CLASSES = ConcurrentHashMap.newKeySet();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static volatile int active;

    private static final AppenderBase<ILoggingEvent> APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder().append(event.getLoggerName()).append(' ')
                    .append(event.getFormattedMessage());
            if (event.getMDCPropertyMap() != null) {
                line.append(' ').append(event.getMDCPropertyMap());
            }
            if (event.getKeyValuePairs() != null) {
                event.getKeyValuePairs().forEach(kv -> line.append(' ').append(kv.key).append('=').append(kv.value));
            }
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    line.append(' ').append(argument);
                }
            }
            if (event.getThrowableProxy() != null) {
                line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
            LINES.add(line.toString());
        }
    };

    private Level previousLevel;

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (active++ == 0) {
            APPENDER.setContext(logging);
            APPENDER.setName("secret-log-capture");
            APPENDER.start();
            root.addAppender(APPENDER);
        }
        Logger canopy = logging.getLogger("dev.canopy");
        previousLevel = canopy.getLevel();
        canopy.setLevel(Level.DEBUG);
        CLASSES.add(context.getRequiredTestClass().getName());
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.getLogger("dev.canopy").setLevel(previousLevel);
        if (--active == 0) {
            logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(APPENDER);
        }
    }

    /** Registers a value that must never be logged. */
    public static void secret(String value) {
        if (value != null && value.length() >= MIN_SECRET_LENGTH) {
            SECRETS.add(value);
        }
    }

    /** Registers a bearer token sent while a capture is running. */
    static void bearer(String token) {
        if (active > 0) {
            secret(token);
        }
    }

    /** Registers the values under secret-looking keys of a JSON text, when a capture is running. */
    static void secretsIn(String json) {
        if (active == 0 || json == null || json.isBlank()) {
            return;
        }
        try {
            collect(JSON.readTree(json), false);
        }
        catch (RuntimeException notJson) {
            // bad-input tests send broken JSON on purpose
        }
    }

    private static void collect(JsonNode node, boolean underSecretKey) {
        if (node.isString() && underSecretKey) {
            secret(node.asString());
        }
        else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String key = field.getKey();
                // a problem's stable code and a credential's masked hint are not secrets
                if (key.equals("code") && field.getValue().asString("").matches("[A-Z_]+") || key.equals("hint")) {
                    continue;
                }
                collect(field.getValue(), underSecretKey || Redaction.isSecretKey(key));
            }
        }
        else if (node.isArray()) {
            node.forEach(element -> collect(element, underSecretKey));
        }
    }

    static List<String> lines() {
        synchronized (LINES) {
            return List.copyOf(LINES);
        }
    }

    static Set<String> secrets() {
        return Set.copyOf(SECRETS);
    }

    static Set<String> capturedClasses() {
        return Set.copyOf(CLASSES);
    }
}
