package io.stratus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a Linux process, read from /proc. */
final class ProcStats {

    private ProcStats() {
    }

    static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /**
     * @return user plus system CPU time of the process in seconds (all its threads), or NaN if it
     *     cannot be read
     */
    static double cpuSeconds(long pid, int clkTck) {
        if (pid <= 0) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // the command name is in parentheses and may contain spaces: fields count from after it
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            long utime = Long.parseLong(f[11]); // field 14 of proc(5)
            long stime = Long.parseLong(f[12]); // field 15
            return (utime + stime) / (double) clkTck;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** @return VmRSS of the process in KiB, or -1 if it cannot be read */
    static long rssKib(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The resident memory a process settles at: the lowest of {@code samples} readings 250 ms apart.
     * A reading can catch a transient allocation (a compilation's scratch memory, a timer's work)
     * that is given back a moment later; the lowest reading is what the process holds for good.
     *
     * @return VmRSS in KiB, or -1 if it cannot be read
     */
    static long settledRssKib(long pid, int samples) throws InterruptedException {
        long lowest = -1;
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                Thread.sleep(250);
            }
            long rss = rssKib(pid);
            if (rss >= 0 && (lowest < 0 || rss < lowest)) {
                lowest = rss;
            }
        }
        return lowest;
    }

    /** CPU seconds of the broker and of this generator at one instant. */
    record Cpu(double broker, double generator) {

        static Cpu now(Options o) {
            return new Cpu(cpuSeconds(o.brokerPid, o.clkTck), cpuSeconds(selfPid(), o.clkTck));
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(broker - earlier.broker, generator - earlier.generator);
        }
    }
}
