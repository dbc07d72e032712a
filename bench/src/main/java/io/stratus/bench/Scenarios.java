package io.stratus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The load scenarios. Each connects its clients, loads the broker for a warm-up and then a
 * measurement window, stops, waits (bounded) for what is still in flight, checks every sequence
 * number, closes its connections and returns one {@link Report}.
 */
public final class Scenarios {

    private static final double CONNECT_TIMEOUT_SECONDS = 20;
    /** The drain ends early when nothing has moved for this long. */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** Resident-memory readings per measurement, 250 ms apart; the lowest counts. */
    private static final int RSS_SAMPLES = 8;

    private Scenarios() {
    }

    public static Report run(Options o) throws Exception {
        return switch (o.scenario) {
            case "fanin" -> throughput(o, o.publishersOr(50), o.subscribersOr(1), "bench/%s/fanin/%d",
                "bench/%s/fanin/+");
            case "fanout" -> throughput(o, o.publishersOr(1), o.subscribersOr(100), "bench/%s/fanout",
                "bench/%s/fanout");
            case "latency" -> latency(o);
            case "connections" -> connections(o);
            default -> throw new IllegalArgumentException("unknown scenario " + o.scenario
                + "; one of fanin, fanout, latency, connections");
        };
    }

    // ---- fanin and fanout ---------------------------------------------------------------------

    /**
     * Every publisher floods its topic; every subscriber subscribes to {@code filter}, which matches
     * all of them, so each subscriber should receive every message. Topics and the filter are
     * formats of the run's token (so that traffic a broker still holds from an earlier run cannot
     * be mistaken for this one's) and the publisher's number.
     */
    static Report throughput(Options o, int pubCount, int subCount, String topicFormat, String filterFormat)
        throws Exception {
        checkPublishers(pubCount);
        boolean v5 = o.mqtt == 5;
        String token = token();
        IntFunction<String> topicOf = i -> String.format(Locale.ROOT, topicFormat, token, i);
        String filter = String.format(Locale.ROOT, filterFormat, token);
        int e2e = o.e2eWindowOrDefault(pubCount);
        Flow flow = null;
        if (e2e > 0) {
            int[] everyone = new int[subCount];
            for (int s = 0; s < subCount; s++) {
                everyone[s] = s;
            }
            int[][] receivers = new int[pubCount][];
            java.util.Arrays.fill(receivers, everyone);
            flow = new Flow(e2e, subCount, receivers);
        }
        ByteBuf filler = filler(o.payload);
        try (Transport t = new Transport(o)) {
            List<Subscriber> subs = new ArrayList<>();
            for (int s = 0; s < subCount; s++) {
                Subscriber sub = new Subscriber(v5, "s" + s + "-" + token, o.keepAlive, pubCount, null, 0, 0);
                if (flow != null) {
                    sub.flow(flow, s);
                }
                subs.add(sub);
            }
            connectAll(t, subs, 0);
            subscribeAll(subs, i -> filter, o.qos);
            List<Publisher> pubs = new ArrayList<>();
            for (int p = 0; p < pubCount; p++) {
                Publisher pub = new Publisher(v5, p, "p" + p + "-" + token, o.keepAlive, topicOf.apply(p), o.qos,
                    o.payload, filler, o.window, false);
                if (flow != null) {
                    pub.flow(flow);
                }
                pubs.add(pub);
            }
            if (flow != null) {
                flow.publishers(pubs.toArray(new Publisher[0]));
            }
            connectAll(t, pubs, subCount);

            ProcStats.Cpu cpu0 = ProcStats.Cpu.now(o);
            Thread progress = progressPrinter(o, pubs, subs);
            pubs.forEach(Publisher::startFlood);
            sleep(o.warmup);
            long tw = System.nanoTime();
            long recvW = received(subs);
            long sentW = sent(pubs);
            ProcStats.Cpu cpuW = ProcStats.Cpu.now(o);
            sleep(o.seconds);
            long te = System.nanoTime();
            long recvE = received(subs);
            long sentE = sent(pubs);
            ProcStats.Cpu cpuE = ProcStats.Cpu.now(o);
            pubs.forEach(Publisher::stop);
            drain(o, pubs, subs, subCount);
            ProcStats.Cpu cpuD = ProcStats.Cpu.now(o);
            if (progress != null) {
                progress.interrupt();
            }

            List<Publisher.Stats> pubStats = new ArrayList<>();
            for (Publisher p : pubs) {
                pubStats.add(onLoop(p, p::stats));
            }
            long[] sentBy = new long[pubCount];
            long sent = 0;
            long acked = 0;
            long refused = 0;
            long unacked = 0;
            long stallReleases = 0;
            for (int i = 0; i < pubCount; i++) {
                Publisher.Stats ps = pubStats.get(i);
                stallReleases += ps.stallReleases();
                sentBy[i] = ps.sent();
                sent += ps.sent();
                acked += ps.acked();
                refused += ps.refused();
                unacked += ps.inflight();
            }
            List<Subscriber.Stats> subStats = new ArrayList<>();
            int subsWithLoss = 0;
            for (Subscriber s : subs) {
                Subscriber.Stats st = onLoop(s, () -> s.stats(sentBy));
                subStats.add(st);
                if (st.missing() > 0) {
                    subsWithLoss++;
                }
            }
            Subscriber.Stats total = Subscriber.Stats.sum(subStats);
            int disconnects = unexpectedCloses(subs) + unexpectedCloses(pubs);
            String serverReasons = serverReasons(subs, pubs);
            closeAll(subs, pubs);

            double window = (te - tw) / 1e9;
            double recvRate = (recvE - recvW) / window;
            double sentRate = (sentE - sentW) / window;
            ProcStats.Cpu cpuWindow = cpuE.minus(cpuW);
            ProcStats.Cpu cpuTotal = cpuD.minus(cpu0);

            boolean fanout = subCount > 1;
            Report r = new Report()
                .put("scenario", o.scenario).put("broker", o.label).put("mqtt", o.mqttName()).put("qos", o.qos)
                .put("payload", o.payload).put("publishers", pubCount).put("subscribers", subCount)
                .put("window_s", window)
                .put(fanout ? "deliveries_per_s" : "msgs_per_s", recvRate)
                .put("sent_per_s", sentRate);
            lossFields(r, o.qos, sent * subCount, total, acked, refused, unacked, disconnects, serverReasons);
            if (fanout) {
                r.put("subscribers_with_loss", subsWithLoss);
            }
            r.put("e2e_window", e2e).put("stall_releases", stallReleases);
            cpuFields(r, cpuWindow, cpuTotal, recvE - recvW, t.epoll, o.threads);

            r.say(String.format(Locale.ROOT, "%s QoS %d, %d B, MQTT %s, %d publisher(s) -> %d subscriber(s): %s %s/s "
                    + "received (%s/s published)", o.scenario, o.qos, o.payload, o.mqttName(), pubCount, subCount,
                Report.grouped(recvRate), fanout ? "deliveries" : "messages", Report.grouped(sentRate)));
            sayLoss(r, o.qos, sent * subCount, total, unacked, disconnects);
            r.say(e2e > 0 ? "publishers at most " + e2e + " messages ahead of their slowest subscriber"
                : "open loop: publishers limited only by TCP and, at QoS 1/2, by their window of " + o.window);
            sayCpu(r, cpuWindow, window);
            return r;
        } finally {
            filler.release();
        }
    }

    /** Prints counts to standard error every {@code --progress} seconds, until interrupted. */
    private static Thread progressPrinter(Options o, List<Publisher> pubs, List<Subscriber> subs) {
        if (o.progress <= 0) {
            return null;
        }
        long t0 = System.nanoTime();
        Thread t = new Thread(() -> {
            long lastRecv = 0;
            long lastSent = 0;
            try {
                while (true) {
                    Thread.sleep((long) (o.progress * 1000));
                    long recv = received(subs);
                    long sent = sent(pubs);
                    int paused = 0;
                    for (Publisher p : pubs) {
                        paused += p.paused ? 1 : 0;
                    }
                    System.err.printf(Locale.ROOT, "%8.3f s  received %,d (+%,d)  sent %,d (+%,d)  paused %d%n",
                        (System.nanoTime() - t0) / 1e9, recv, recv - lastRecv, sent, sent - lastSent, paused);
                    lastRecv = recv;
                    lastSent = sent;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until every message has arrived and every acknowledgement is in, or nothing moves, or time is up. */
    private static void drain(Options o, List<Publisher> pubs, List<Subscriber> subs, int subCount)
        throws InterruptedException {
        long deadline = System.nanoTime() + (long) (o.drain * 1e9);
        long lastProgress = System.nanoTime();
        long lastSeen = -1;
        // let the stop tasks run, so that the sent counts are final
        Thread.sleep(20);
        while (System.nanoTime() < deadline) {
            long recv = received(subs);
            long acked = 0;
            int inflight = 0;
            for (Publisher p : pubs) {
                acked += p.ackedSnapshot;
                inflight += p.inflightSnapshot;
            }
            boolean done = recv >= sent(pubs) * subCount && (o.qos == 0 || inflight == 0);
            if (done) {
                return;
            }
            long seen = recv + acked;
            long now = System.nanoTime();
            if (seen != lastSeen) {
                lastSeen = seen;
                lastProgress = now;
            } else if (now - lastProgress > QUIET_NANOS) {
                return;
            }
            Thread.sleep(20);
        }
    }

    // ---- latency ------------------------------------------------------------------------------

    /**
     * A fixed total rate from N publishers to N subscribers; subscriber i subscribes to publisher
     * i's own topic {@code bench/latency/i} (an exact filter, no wildcard), so every message has
     * exactly one receiver.
     */
    static Report latency(Options o) throws Exception {
        int n = o.publishersOr(10);
        if (o.subscribers > 0 && o.subscribers != n) {
            throw new IllegalArgumentException("latency: subscriber i listens to publisher i, so --subscribers "
                + "must equal --publishers");
        }
        checkPublishers(n);
        boolean v5 = o.mqtt == 5;
        String token = token();
        ByteBuf filler = filler(o.payload);
        try (Transport t = new Transport(o)) {
            List<LogHistogram> histograms = new ArrayList<>();
            List<Subscriber> subs = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                LogHistogram h = new LogHistogram();
                histograms.add(h);
                subs.add(new Subscriber(v5, "l" + s + "-" + token, o.keepAlive, n, h, Long.MAX_VALUE, Long.MAX_VALUE));
            }
            connectAll(t, subs, 0);
            subscribeAll(subs, i -> "bench/latency/" + i, o.qos);
            List<Publisher> pubs = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                pubs.add(new Publisher(v5, p, "q" + p + "-" + token, o.keepAlive, "bench/latency/" + p, o.qos,
                    o.payload, filler, o.window, true));
            }
            connectAll(t, pubs, n);

            // the schedule starts shortly after everyone is connected; the subscribers record only its window
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            long from = start + (long) (o.warmup * 1e9);
            long until = from + (long) (o.seconds * 1e9);
            for (Subscriber s : subs) {
                onLoop(s, () -> {
                    s.setLatencyWindow(from, until);
                    return null;
                });
            }
            long interval = Math.max(1, Math.round(n * 1e9 / o.rate));
            ProcStats.Cpu cpu0 = ProcStats.Cpu.now(o);
            for (int p = 0; p < n; p++) {
                pubs.get(p).startPaced(start + (long) p * interval / n, interval, until);
            }
            sleepUntil(from);
            long recvW = received(subs);
            ProcStats.Cpu cpuW = ProcStats.Cpu.now(o);
            sleepUntil(until);
            long recvE = received(subs);
            ProcStats.Cpu cpuE = ProcStats.Cpu.now(o);
            pubs.forEach(Publisher::stop);
            drain(o, pubs, subs, 1);
            ProcStats.Cpu cpuD = ProcStats.Cpu.now(o);

            long sent = 0;
            long acked = 0;
            long refused = 0;
            long unacked = 0;
            long[] sentBy = new long[n];
            for (int i = 0; i < n; i++) {
                Publisher p = pubs.get(i);
                Publisher.Stats ps = onLoop(p, p::stats);
                sentBy[i] = ps.sent();
                sent += ps.sent();
                acked += ps.acked();
                refused += ps.refused();
                unacked += ps.inflight();
            }
            List<Subscriber.Stats> subStats = new ArrayList<>();
            LogHistogram all = new LogHistogram();
            for (int i = 0; i < n; i++) {
                Subscriber s = subs.get(i);
                long[] own = new long[n];
                own[i] = sentBy[i];
                subStats.add(onLoop(s, () -> s.stats(own)));
                LogHistogram h = histograms.get(i);
                onLoop(s, () -> {
                    synchronized (all) {
                        all.add(h);
                    }
                    return null;
                });
            }
            Subscriber.Stats total = Subscriber.Stats.sum(subStats);
            int disconnects = unexpectedCloses(subs) + unexpectedCloses(pubs);
            String serverReasons = serverReasons(subs, pubs);
            closeAll(subs, pubs);

            double window = (until - from) / 1e9;
            ProcStats.Cpu cpuWindow = cpuE.minus(cpuW);
            ProcStats.Cpu cpuTotal = cpuD.minus(cpu0);
            Report r = new Report()
                .put("scenario", o.scenario).put("broker", o.label).put("mqtt", o.mqttName()).put("qos", o.qos)
                .put("payload", o.payload).put("publishers", n).put("subscribers", n)
                .put("window_s", window).put("rate", o.rate)
                .put("recv_per_s", (recvE - recvW) / window)
                .put("samples", all.count())
                .put("p50_us", all.percentile(50) / 1e3)
                .put("p99_us", all.percentile(99) / 1e3)
                .put("p999_us", all.percentile(99.9) / 1e3)
                .put("max_us", all.max() / 1e3)
                .put("mean_us", all.mean() / 1e3);
            lossFields(r, o.qos, sent, total, acked, refused, unacked, disconnects, serverReasons);
            cpuFields(r, cpuWindow, cpuTotal, recvE - recvW, t.epoll, o.threads);
            r.say(String.format(Locale.ROOT, "latency QoS %d, %d B, MQTT %s, %s msg/s over %d publisher/subscriber "
                    + "pairs: p50 %s us, p99 %s us, p99.9 %s us, max %s us (%s samples, from the intended send time)",
                o.qos, o.payload, o.mqttName(), Report.grouped(o.rate), n, Report.format(all.percentile(50) / 1e3),
                Report.format(all.percentile(99) / 1e3), Report.format(all.percentile(99.9) / 1e3),
                Report.format(all.max() / 1e3), Report.grouped(all.count())));
            sayLoss(r, o.qos, sent, total, unacked, disconnects);
            sayCpu(r, cpuWindow, window);
            return r;
        } finally {
            filler.release();
        }
    }

    // ---- connections --------------------------------------------------------------------------

    /** An idle client: connects, answers nothing but PUBREL, pings within its keep alive. */
    static final class IdleClient extends MqttClient {
        IdleClient(boolean v5, String clientId, int keepAlive) {
            super(v5, clientId, keepAlive);
        }
    }

    /**
     * Opens many idle clients as fast as the broker accepts them, with a bounded number of CONNECTs
     * outstanding, and reports connects per second and the broker's resident memory per
     * connection. A warm-up round (a tenth of them, at most 1,000) is opened and closed first, so
     * that class loading, JIT compilation and buffer pools are not charged to the connections.
     */
    static Report connections(Options o) throws Exception {
        boolean v5 = o.mqtt == 5;
        String token = token();
        try (Transport t = new Transport(o)) {
            int warm = Math.min(1000, Math.max(10, o.connections / 10));
            Batch warmBatch = openMany(t, o, warm, "w", token);
            closeClients(warmBatch.clients);
            Thread.sleep(1000);

            long rssBeforeRaw = ProcStats.rssKib(o.brokerPid);
            long rssBefore = afterHook(o, rssBeforeRaw);
            ProcStats.Cpu cpu0 = ProcStats.Cpu.now(o);
            Batch batch = openMany(t, o, o.connections, "c", token);
            ProcStats.Cpu cpu1 = ProcStats.Cpu.now(o);
            sleep(o.settle);
            long rssAfterRaw = ProcStats.rssKib(o.brokerPid);
            long rssAfter = afterHook(o, rssAfterRaw);
            int stillOpen = 0;
            for (MqttClient c : batch.clients) {
                if (c.connAck.isDone() && !c.connAck.isCompletedExceptionally() && c.connAck.join() == 0
                    && !c.closed.isDone()) {
                    stillOpen++;
                }
            }
            long closeStart = System.nanoTime();
            closeClients(batch.clients);
            double closeSeconds = (System.nanoTime() - closeStart) / 1e9;

            double connectsPerSecond = batch.ok / batch.seconds;
            double perConnection = rssBefore >= 0 && rssAfter >= 0 && batch.ok > 0
                ? (rssAfter - rssBefore) / (double) batch.ok : Double.NaN;
            double perConnectionRaw = rssBeforeRaw >= 0 && rssAfterRaw >= 0 && batch.ok > 0
                ? (rssAfterRaw - rssBeforeRaw) / (double) batch.ok : Double.NaN;
            ProcStats.Cpu cpu = cpu1.minus(cpu0);
            Report r = new Report()
                .put("scenario", o.scenario).put("broker", o.label).put("mqtt", o.mqttName())
                .put("connections", o.connections).put("connected", batch.ok).put("failed", batch.failed)
                .put("still_open", stillOpen).put("connect_s", batch.seconds)
                .put("connects_per_s", connectsPerSecond)
                .put("rss_before_kib", rssBefore).put("rss_after_kib", rssAfter)
                .put("kib_per_conn", perConnection)
                .put("rss_before_raw_kib", rssBeforeRaw).put("rss_after_raw_kib", rssAfterRaw)
                .put("kib_per_conn_raw", perConnectionRaw)
                .put("rss_hook", o.rssHook == null ? "none" : o.rssHook.replace(' ', '_'))
                .put("close_s", closeSeconds)
                .put("broker_cpu_s", cpu.broker()).put("gen_cpu_s", cpu.generator())
                .put("transport", t.epoll ? "epoll" : "nio").put("threads", o.threads)
                .put("ok", batch.failed == 0 && stillOpen == batch.ok);
            r.say(String.format(Locale.ROOT, "connections, MQTT %s: %s of %s idle clients connected in %.2f s "
                    + "(%s connects/s, at most %d CONNECTs outstanding)", o.mqttName(), Report.grouped(batch.ok),
                Report.grouped(o.connections), batch.seconds, Report.grouped(connectsPerSecond), o.concurrency));
            if (Double.isNaN(perConnection)) {
                r.say("broker memory not measured (no --broker-pid)");
            } else {
                r.say(String.format(Locale.ROOT, "broker resident memory %s -> %s KiB: %.2f KiB per connection%s",
                    Report.grouped(rssBefore), Report.grouped(rssAfter), perConnection,
                    o.rssHook == null ? "" : String.format(Locale.ROOT, " after `%s` (%.2f KiB before it)",
                        o.rssHook, perConnectionRaw)));
            }
            r.say(batch.failed == 0 && stillOpen == batch.ok ? "no connection failed or dropped"
                : batch.failed + " failed, " + (batch.ok - stillOpen) + " dropped while idle");
            return r;
        }
    }

    /**
     * Runs the memory hook, if any, and reads the broker's memory again, as the lowest of eight
     * readings over two seconds ({@link ProcStats#settledRssKib}); the same for every broker.
     */
    private static long afterHook(Options o, long raw) throws InterruptedException {
        if (o.brokerPid <= 0) {
            return raw;
        }
        if (o.rssHook == null) {
            return ProcStats.settledRssKib(o.brokerPid, RSS_SAMPLES);
        }
        String command = o.rssHook.replace("%p", Long.toString(o.brokerPid));
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.err.println("rss hook did not finish in 60 s: " + command);
            }
        } catch (java.io.IOException e) {
            System.err.println("rss hook failed: " + e);
        }
        return ProcStats.settledRssKib(o.brokerPid, RSS_SAMPLES);
    }

    private record Batch(List<MqttClient> clients, long ok, long failed, double seconds) {
    }

    private static Batch openMany(Transport t, Options o, int count, String prefix, String token) throws Exception {
        Semaphore outstanding = new Semaphore(o.concurrency);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong();
        List<MqttClient> clients = new ArrayList<>(count);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        boolean v5 = o.mqtt == 5;
        for (int i = 0; i < count; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !outstanding.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            MqttClient c = new IdleClient(v5, prefix + i + "-" + token, o.keepAlive);
            clients.add(c);
            c.connAck.whenComplete((code, err) -> {
                if (err == null && code == 0) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                lastAnswer.set(System.nanoTime());
                outstanding.release();
            });
            ChannelFuture f = t.connect(c, i);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    c.error = done.cause();
                    c.connAck.completeExceptionally(done.cause());
                    c.closed.complete(null);
                }
            });
        }
        long left = Math.max(0, deadline - System.nanoTime());
        if (outstanding.tryAcquire(o.concurrency, left + TimeUnit.SECONDS.toNanos(15), TimeUnit.NANOSECONDS)) {
            outstanding.release(o.concurrency);
        }
        long unanswered = clients.size() - ok.get() - failed.get();
        long end = lastAnswer.get() == 0 ? System.nanoTime() : lastAnswer.get();
        return new Batch(clients, ok.get(), failed.get() + unanswered + (count - clients.size()),
            Math.max(1e-9, (end - start) / 1e9));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void lossFields(Report r, int qos, long expected, Subscriber.Stats s, long acked, long refused,
                                   long unacked, int disconnects, String serverReasons) {
        boolean ok = (qos == 0 || s.missing() == 0) && (qos < 2 || s.duplicates() == 0) && s.invalid() == 0
            && disconnects == 0;
        r.put("sent_expected", expected).put("received", s.received()).put("lost", s.missing())
            .put("duplicates", s.duplicates()).put("out_of_order", s.outOfOrder()).put("invalid", s.invalid())
            .put("acked", acked).put("refused", refused).put("unacked", unacked)
            .put("disconnects", disconnects).put("server_disconnect_reasons", serverReasons)
            .put("loss", s.missing() == 0 ? "none" : Long.toString(s.missing()))
            .put("ok", ok);
    }

    private static void sayLoss(Report r, int qos, long expected, Subscriber.Stats s, long unacked, int disconnects) {
        if (s.missing() == 0) {
            r.say(String.format(Locale.ROOT, "no loss at QoS %d: all %s expected deliveries arrived, %s duplicated, "
                + "%s out of order", qos, Report.grouped(expected), Report.grouped(s.duplicates()),
                Report.grouped(s.outOfOrder())));
        } else if (qos == 0) {
            r.say(String.format(Locale.ROOT, "QoS 0: %s of %s expected deliveries did not arrive (%.2f %%; QoS 0 "
                    + "allows it)", Report.grouped(s.missing()), Report.grouped(expected),
                100.0 * s.missing() / Math.max(1, expected)));
        } else {
            r.say(String.format(Locale.ROOT, "LOSS at QoS %d: %s of %s expected deliveries never arrived", qos,
                Report.grouped(s.missing()), Report.grouped(expected)));
        }
        if (qos > 0 && unacked > 0) {
            r.say(unacked + " publications still unacknowledged after the drain");
        }
        if (s.invalid() > 0) {
            r.say(s.invalid() + " messages with a payload no publisher sent");
        }
        if (qos == 2 && s.duplicates() > 0) {
            r.say("DUPLICATES at QoS 2: " + s.duplicates());
        }
        if (disconnects > 0) {
            r.say(disconnects + " client connections closed unexpectedly");
        }
    }

    private static void cpuFields(Report r, ProcStats.Cpu window, ProcStats.Cpu total, long deliveries,
                                  boolean epoll, int threads) {
        r.put("broker_cpu_s", window.broker()).put("gen_cpu_s", window.generator())
            .put("broker_cpu_total_s", total.broker()).put("gen_cpu_total_s", total.generator())
            .put("broker_us_per_delivery", deliveries > 0 ? window.broker() * 1e6 / deliveries : Double.NaN)
            .put("transport", epoll ? "epoll" : "nio").put("threads", threads);
    }

    private static void sayCpu(Report r, ProcStats.Cpu cpu, double window) {
        if (!Double.isNaN(cpu.broker())) {
            r.say(String.format(Locale.ROOT, "CPU in the window: broker %.2f s, generator %.2f s over %.2f s",
                cpu.broker(), cpu.generator(), window));
        } else {
            r.say(String.format(Locale.ROOT, "CPU in the window: generator %.2f s over %.2f s (no --broker-pid)",
                cpu.generator(), window));
        }
    }

    private static void checkPublishers(int n) {
        if (n < 1 || n > Payloads.MAX_PUBLISHERS) {
            throw new IllegalArgumentException("publishers must be 1 to " + Payloads.MAX_PUBLISHERS);
        }
    }

    private static ByteBuf filler(int payload) {
        int length = payload - Payloads.HEADER;
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, length));
        for (int i = 0; i < length; i++) {
            b.writeByte('a' + i % 26);
        }
        return b;
    }

    private static String token() {
        return Long.toString(System.nanoTime() & 0xFFFFFFL, 36);
    }

    private static <C extends MqttClient> void connectAll(Transport t, List<C> clients, int offset) throws Exception {
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            C c = clients.get(i);
            t.connect(c, offset + i).addListener(f -> {
                if (!f.isSuccess()) {
                    c.connAck.completeExceptionally(f.cause());
                    c.closed.complete(null);
                }
            });
            acks.add(c.connAck);
        }
        await(acks, "CONNACK");
        for (int i = 0; i < acks.size(); i++) {
            int code = acks.get(i).join();
            if (code != 0) {
                throw new IllegalStateException("broker refused a connection: CONNACK code 0x" + Integer.toHexString(code));
            }
        }
    }

    private static void subscribeAll(List<Subscriber> subs, IntFunction<String> filterOf, int qos) throws Exception {
        List<CompletableFuture<Integer>> acks = new ArrayList<>();
        for (int i = 0; i < subs.size(); i++) {
            subs.get(i).subscribe(filterOf.apply(i), qos);
            acks.add(subs.get(i).subAck);
        }
        await(acks, "SUBACK");
        for (CompletableFuture<Integer> a : acks) {
            int code = a.join();
            if (code >= 0x80) {
                throw new IllegalStateException("broker refused a subscription: SUBACK code 0x" + Integer.toHexString(code));
            }
            if (code != qos) {
                throw new IllegalStateException("broker granted QoS " + code + " instead of " + qos);
            }
        }
    }

    private static void await(List<CompletableFuture<Integer>> futures, String what) throws Exception {
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .get((long) (CONNECT_TIMEOUT_SECONDS * 1000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long missing = futures.stream().filter(f -> !f.isDone()).count();
            throw new IllegalStateException(missing + " of " + futures.size() + " clients got no " + what + " within "
                + CONNECT_TIMEOUT_SECONDS + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a client failed before its " + what + ": " + e.getCause(), e.getCause());
        }
    }

    private static <R> R onLoop(MqttClient c, Callable<R> task) throws Exception {
        return c.ctx.executor().submit(task).get(10, TimeUnit.SECONDS);
    }

    private static long received(List<Subscriber> subs) {
        long sum = 0;
        for (Subscriber s : subs) {
            sum += s.receivedSnapshot;
        }
        return sum;
    }

    private static long sent(List<Publisher> pubs) {
        long sum = 0;
        for (Publisher p : pubs) {
            sum += p.sentSnapshot;
        }
        return sum;
    }

    private static int unexpectedCloses(List<? extends MqttClient> clients) {
        int n = 0;
        for (MqttClient c : clients) {
            if (c.closedUnexpectedly()) {
                n++;
            }
        }
        return n;
    }

    /** @return the reason codes of DISCONNECTs the broker sent, e.g. "0x93x2", or "none" */
    private static String serverReasons(List<? extends MqttClient> a, List<? extends MqttClient> b) {
        java.util.TreeMap<Integer, Integer> counts = new java.util.TreeMap<>();
        for (List<? extends MqttClient> list : List.of(a, b)) {
            for (MqttClient c : list) {
                if (c.serverDisconnectReason >= 0) {
                    counts.merge(c.serverDisconnectReason, 1, Integer::sum);
                }
            }
        }
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((code, n) -> sb.append(sb.isEmpty() ? "" : ",").append("0x").append(Integer.toHexString(code))
            .append('x').append(n));
        return sb.toString();
    }

    @SafeVarargs
    private static void closeAll(List<? extends MqttClient>... lists) {
        List<MqttClient> all = new ArrayList<>();
        for (List<? extends MqttClient> l : lists) {
            all.addAll(l);
        }
        closeClients(all);
    }

    private static void closeClients(List<? extends MqttClient> clients) {
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (MqttClient c : clients) {
            c.disconnect();
            closes.add(c.closed);
        }
        try {
            CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // bounded: whatever is still open goes when the event loops shut down
        }
    }

    private static void sleep(double seconds) throws InterruptedException {
        sleepUntil(System.nanoTime() + (long) (seconds * 1e9));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        while (true) {
            long left = nanoTime - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }
}
