package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The {@link System.Logger} a plugin gets from its context: it writes to the broker's log through
 * SLF4J, on a logger named {@code stratus.plugin.<id>}, with the tenant in the MDC like every broker
 * line, so an operator can tell which tenant's plugin said what and tune each plugin's level.
 */
final class PluginLogger implements System.Logger {

    private final TenantId tenant;
    private final Logger delegate;

    PluginLogger(TenantId tenant, String pluginId) {
        this.tenant = tenant;
        this.delegate = LoggerFactory.getLogger("stratus.plugin." + pluginId);
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        switch (level) {
            case ALL:
            case TRACE:
                return delegate.isTraceEnabled();
            case DEBUG:
                return delegate.isDebugEnabled();
            case INFO:
                return delegate.isInfoEnabled();
            case WARNING:
                return delegate.isWarnEnabled();
            case ERROR:
                return delegate.isErrorEnabled();
            default:
                return false; // OFF
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            write(level, localize(bundle, msg), thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String pattern = localize(bundle, format);
            // System.Logger's parameters use MessageFormat's {0} placeholders, not SLF4J's {}.
            String message = pattern;
            if (params != null && params.length > 0 && pattern != null) {
                try {
                    message = MessageFormat.format(pattern, params);
                } catch (IllegalArgumentException e) {
                    message = pattern + " (not a valid MessageFormat pattern)";
                }
            }
            write(level, message, null);
        }
    }

    private void write(Level level, String message, Throwable thrown) {
        CallbackGuard.withTenant(tenant, () -> {
            switch (level) {
                case ALL:
                case TRACE:
                    delegate.trace(message, thrown);
                    break;
                case DEBUG:
                    delegate.debug(message, thrown);
                    break;
                case INFO:
                    delegate.info(message, thrown);
                    break;
                case WARNING:
                    delegate.warn(message, thrown);
                    break;
                default:
                    delegate.error(message, thrown);
                    break;
            }
        });
    }

    private static String localize(ResourceBundle bundle, String key) {
        if (bundle == null || key == null) {
            return key;
        }
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }
}
