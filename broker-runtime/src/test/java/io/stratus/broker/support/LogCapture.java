package io.stratus.broker.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the warnings and errors logged while it is open. A handler that catches an unexpected
 * exception logs it and closes the connection, so an exception that escaped the protocol logic shows
 * up here rather than on the channel.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                events.add(event);
            }
        }
    };

    public LogCapture() {
        appender.setName("test-capture");
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    /** @return the warnings and errors that carry an exception, formatted for an assertion message */
    public List<String> exceptions() {
        return events.stream()
            .filter(e -> e.getThrowableProxy() != null)
            .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage() + ": " + describe(e.getThrowableProxy()))
            .toList();
    }

    private static String describe(IThrowableProxy t) {
        StringBuilder s = new StringBuilder(t.getClassName()).append(": ").append(t.getMessage());
        if (t.getStackTraceElementProxyArray().length > 0) {
            s.append(" ").append(t.getStackTraceElementProxyArray()[0].getSTEAsString());
        }
        return s.toString();
    }

    /** @return every warning and error captured so far, as "logger: message" */
    public List<String> messages() {
        return events.stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    public void clear() {
        events.clear();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
