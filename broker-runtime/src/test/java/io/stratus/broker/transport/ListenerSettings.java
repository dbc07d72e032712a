package io.stratus.broker.transport;

import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ConfigLoader;
import io.stratus.broker.support.TestPki;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Listener settings written as an operator writes them ({@code listeners.tls.tls.client-auth=required}),
 * loaded the way the broker loads them, so that transport tests exercise the configuration keys too.
 */
final class ListenerSettings {

    private final Map<String, String> settings = new LinkedHashMap<>();

    /** Adds a listener on an ephemeral port. */
    ListenerSettings listener(String name, String transport) {
        settings.put("listeners." + name + ".transport", transport);
        settings.put("listeners." + name + ".port", "0");
        return this;
    }

    /** Adds a listener of a TLS transport that serves the given files. */
    ListenerSettings listener(String name, String transport, TestPki.PemFiles files) {
        listener(name, transport);
        return set(name, "tls.cert-file", files.certFile().toString())
            .set(name, "tls.key-file", files.keyFile().toString());
    }

    /** Sets one property of a listener. */
    ListenerSettings set(String listener, String property, String value) {
        settings.put("listeners." + listener + "." + property, value);
        return this;
    }

    BrokerConfig load() {
        return ConfigLoader.load(Optional.empty(), Map.of(), settings);
    }
}
