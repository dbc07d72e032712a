package io.stratus.bench;

import java.util.Arrays;

/**
 * {@code java -jar stratus-bench.jar --scenario NAME [options]} runs one load scenario against a
 * broker and prints one line of figures; {@code java -jar stratus-bench.jar jmh [JMH options]} runs
 * the micro-benchmarks; {@code java -jar stratus-bench.jar auth-setup ...} writes a tenants file and
 * credentials for runs with authentication and policies on ({@link AuthSetup}).
 *
 * <p>Exit status: 0 when the scenario ran (whatever it found: read the {@code ok=} field), 2 for a
 * bad command line, 1 when the scenario could not run (no broker, refused connections), 3 when the
 * watchdog stopped a run that overran its time bound.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("auth-setup")) {
            System.exit(AuthSetup.run(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        if (args.length == 0 || Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(Options.usage());
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        startWatchdog(options.hardLimitSeconds());
        try {
            Report report = Scenarios.run(options);
            System.out.println(report.line());
            System.out.flush();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("scenario " + options.scenario + " failed: " + e);
            System.out.println("scenario=" + options.scenario + " broker=" + options.label
                + " ok=false error=" + e.getClass().getSimpleName() + " | failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** Every run stops by itself: past its bound the process ends, whatever it is waiting for. */
    private static void startWatchdog(double seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep((long) (seconds * 1000));
                System.err.println("watchdog: the scenario overran its bound of " + seconds + " s; stopping");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
