package io.stratus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of the load generator. Every flag takes its value as the next argument or after
 * {@code =}. Counts left at 0 take the scenario's default (see {@link #publishersOr} and friends).
 */
public final class Options {

    public String host = "127.0.0.1";
    public int port = 1883;
    public String scenario;
    /** A name for the broker under test, copied into the output line (e.g. stratus, mosquitto). */
    public String label = "broker";
    /** Length of the measurement window. */
    public double seconds = 10;
    /**
     * Load before the measurement window starts; not counted in rates, but checked for loss. Long
     * enough for a JVM broker's JIT compilers to finish with the hot paths on two cores.
     */
    public double warmup = 5;
    /** Longest wait after the publishers stop for every message to arrive. */
    public double drain = 15;
    public int qos = 0;
    public int payload = 16;
    /** Total messages per second of the latency scenario. */
    public int rate = 5000;
    /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
    public int mqtt = 4;
    /** Event-loop threads of the generator. */
    public int threads = 1;
    /** QoS 1 and 2 messages each publisher keeps in flight. */
    public int window = 32;
    /**
     * Messages a publisher may be ahead of its slowest subscriber (fanin, fanout); 0 turns the
     * end-to-end window off; -1 (the default) gives each subscriber at most
     * {@link #E2E_MESSAGES_PER_SUBSCRIBER} messages on their way to it: that divided by the number
     * of publishers, but never less than {@link #window}.
     */
    public int e2eWindow = -1;
    static final int E2E_MESSAGES_PER_SUBSCRIBER = 3200;
    public int publishers;
    public int subscribers;
    /** Idle clients of the connections scenario. */
    public int connections = 10_000;
    /** Largest number of CONNECTs awaiting their CONNACK at once. */
    public int concurrency = 200;
    public int keepAlive = 60;
    /** Local source addresses 127.0.0.1 .. 127.0.0.N, used round robin; 1 means let the kernel choose. */
    public int sourceAddresses = 1;
    /** Process id of the broker for CPU and memory figures; 0 when unknown. */
    public long brokerPid;
    /** Clock ticks per second of /proc/PID/stat (getconf CLK_TCK). */
    public int clkTck = 100;
    /** Seconds to let the broker settle before reading its memory. */
    public double settle = 2;
    /**
     * A shell command run before each reading of the broker's memory, {@code %p} standing for its
     * pid (e.g. {@code jcmd %p GC.run}, so that a JVM's figure is not its uncollected garbage).
     */
    public String rssHook;
    /** Seconds between progress lines on standard error; 0 for none. */
    public double progress;
    /** The user name every client sends (e.g. {@code bench@bench}); null for none. */
    public String username;
    /** A file whose content (trailing newline removed) every client sends as its password: a password or a JWT. */
    public String passwordFile;

    public static Options parse(String[] args) {
        Options o = new Options();
        List<String> list = new ArrayList<>(List.of(args));
        for (int i = 0; i < list.size(); i++) {
            String arg = list.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= list.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = list.get(++i);
            }
            o.set(name, value);
        }
        o.validate();
        return o;
    }

    private void set(String name, String value) {
        try {
            switch (name) {
                case "host" -> host = value;
                case "port" -> port = Integer.parseInt(value);
                case "scenario" -> scenario = value.toLowerCase(Locale.ROOT);
                case "label" -> label = value;
                case "seconds" -> seconds = Double.parseDouble(value);
                case "warmup" -> warmup = Double.parseDouble(value);
                case "drain" -> drain = Double.parseDouble(value);
                case "qos" -> qos = Integer.parseInt(value);
                case "payload" -> payload = parseSize(value);
                case "rate" -> rate = Integer.parseInt(value);
                case "mqtt" -> mqtt = switch (value) {
                    case "3.1.1", "311", "4" -> 4;
                    case "5", "5.0" -> 5;
                    default -> throw new IllegalArgumentException("--mqtt is 3.1.1 or 5");
                };
                case "threads" -> threads = Integer.parseInt(value);
                case "window" -> window = Integer.parseInt(value);
                case "e2e-window" -> e2eWindow = Integer.parseInt(value);
                case "publishers" -> publishers = Integer.parseInt(value);
                case "subscribers" -> subscribers = Integer.parseInt(value);
                case "connections" -> connections = Integer.parseInt(value);
                case "concurrency" -> concurrency = Integer.parseInt(value);
                case "keep-alive" -> keepAlive = Integer.parseInt(value);
                case "source-addresses" -> sourceAddresses = Integer.parseInt(value);
                case "broker-pid" -> brokerPid = Long.parseLong(value);
                case "clk-tck" -> clkTck = Integer.parseInt(value);
                case "settle" -> settle = Double.parseDouble(value);
                case "progress" -> progress = Double.parseDouble(value);
                case "rss-hook" -> rssHook = value;
                case "username" -> username = value;
                case "password-file" -> passwordFile = value;
                default -> throw new IllegalArgumentException("unknown option --" + name + "\n" + usage());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, not " + value);
        }
    }

    /** Accepts 16, 4096, 4k, 4KiB. */
    static int parseSize(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int multiplier = 1;
        for (String suffix : new String[] {"kib", "kb", "k"}) {
            if (v.endsWith(suffix)) {
                v = v.substring(0, v.length() - suffix.length());
                multiplier = 1024;
                break;
            }
        }
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        return Integer.parseInt(v.trim()) * multiplier;
    }

    void validate() {
        if (scenario == null) {
            throw new IllegalArgumentException("--scenario is required\n" + usage());
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("--qos is 0, 1 or 2");
        }
        if (payload < Payloads.HEADER || payload > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("--payload must be at least " + Payloads.HEADER
                + " bytes (sequence number and timestamp)");
        }
        if (seconds <= 0 || seconds > 3600 || warmup < 0 || warmup > 600 || drain < 0 || drain > 600) {
            throw new IllegalArgumentException("--seconds is in (0, 3600], --warmup and --drain in [0, 600]");
        }
        if (e2eWindow < -1) {
            throw new IllegalArgumentException("--e2e-window is 0 (off) or a positive number of messages");
        }
        if (threads < 1 || window < 1 || window > 65_000 || rate < 1 || concurrency < 1 || connections < 1
            || sourceAddresses < 1 || sourceAddresses > 254) {
            throw new IllegalArgumentException("--threads, --window, --rate, --concurrency, --connections and "
                + "--source-addresses must be positive (source addresses at most 254)");
        }
        if (keepAlive < 0 || keepAlive > 65_535) {
            throw new IllegalArgumentException("--keep-alive is 0 to 65535 seconds");
        }
    }

    /** @return the password every client sends, read from {@link #passwordFile}, or null */
    byte[] password() {
        if (passwordFile == null) {
            return null;
        }
        try {
            return Files.readString(Path.of(passwordFile)).strip()
                .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--password-file " + passwordFile + " cannot be read: " + e.getMessage());
        }
    }

    int e2eWindowOrDefault(int publisherCount) {
        if (e2eWindow >= 0) {
            return e2eWindow;
        }
        return Math.max(window, E2E_MESSAGES_PER_SUBSCRIBER / publisherCount);
    }

    int publishersOr(int fallback) {
        return publishers > 0 ? publishers : fallback;
    }

    int subscribersOr(int fallback) {
        return subscribers > 0 ? subscribers : fallback;
    }

    String mqttName() {
        return mqtt == 5 ? "5.0" : "3.1.1";
    }

    /** The longest a scenario may run before the watchdog ends the process. */
    double hardLimitSeconds() {
        return warmup + seconds + drain + 300;
    }

    public static String usage() {
        return """
            usage: java -jar stratus-bench.jar --scenario fanin|fanout|latency|connections [options]
                   java -jar stratus-bench.jar jmh [JMH options]
              --host H             broker address (127.0.0.1)
              --port P             broker port (1883)
              --label NAME         name of the broker under test, copied into the output (broker)
              --seconds N          measurement window in seconds (10)
              --warmup N           load before the window, in seconds (5)
              --drain N            longest wait for in-flight messages after the publishers stop (15)
              --qos 0|1|2          QoS of publications and subscriptions (0)
              --payload BYTES      payload size, at least 16: 16, 4k, 4096 (16)
              --rate N             latency: total messages per second over all publishers (5000)
              --mqtt 3.1.1|5       protocol version (3.1.1)
              --threads N          generator event-loop threads (1)
              --window N           QoS 1/2 messages in flight per publisher (32)
              --e2e-window N       fanin/fanout: messages a publisher may be ahead of its slowest
                                   subscriber; 0 = off, a pure flood (3200 / publishers, at least
                                   --window: fanin 64, fanout 3200)
              --publishers N       fanin 50, fanout 1, latency 10
              --subscribers N      fanin 1, fanout 100, latency 10
              --connections N      connections: idle clients to open (10000)
              --concurrency N      connections: CONNECTs awaiting CONNACK at once (200)
              --keep-alive S       keep alive of every client in seconds (60)
              --source-addresses N bind clients to 127.0.0.1..127.0.0.N round robin (1: kernel's choice)
              --broker-pid PID     broker process, for its CPU time and resident memory
              --clk-tck N          clock ticks per second of /proc/PID/stat (100)
              --settle S           connections: seconds to wait before reading memory (2)
              --rss-hook CMD       connections: shell command run before each memory reading, %p = broker
                                   pid (e.g. "jcmd %p GC.run"); the raw readings are reported too
              --progress S         print received/sent counts to standard error every S seconds (off)
              --username U         user name every client sends (e.g. bench@bench for tenant bench)
              --password-file F    every client sends F's content as its password (a password or a JWT)

            also: java -jar stratus-bench.jar auth-setup --dir DIR --method password|jwt
              writes DIR/tenants.json (tenant bench, a policy allowing bench/#) and DIR/password
              (the secret clients send), and prints the user name to give with --username
            """;
    }
}
