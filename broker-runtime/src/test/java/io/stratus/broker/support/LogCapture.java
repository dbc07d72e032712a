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
 * up here rather than on the channel. {@link #of(String)} collects what one named logger (the audit
 * logger) logs at INFO and above instead.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level threshold;
    /** The logger's own level before the capture, restored by {@link #close()}; null to inherit. */
    private final Level previousLevel;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(threshold)) {
                events.add(event);
            }
        }
    };

    public LogCapture() {
        this(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.WARN);
    }

    /** Collects INFO and above of the named logger, which logs at INFO meanwhile whatever tests configure. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName, Level.INFO);
    }

    private LogCapture(String loggerName, Level threshold) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.threshold = threshold;
        this.previousLevel = logger.getLevel();
        if (!logger.isEnabledFor(threshold)) {
            logger.setLevel(threshold);
        }
        appender.setName("test-capture");
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** @return the formatted messages collected so far, in order */
    public List<String> messages() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
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

    public void clear() {
        events.clear();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
