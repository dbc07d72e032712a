package io.stratus.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.stratus.broker.codec.PublishEncoder;
import io.stratus.broker.message.PublishProperties;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The two halves of the broker's PUBLISH path that do not depend on routing: decoding an inbound
 * PUBLISH with netty-codec-mqtt's {@link MqttDecoder} (as the broker's pipeline does, here in an
 * {@link EmbeddedChannel}) and encoding an outbound one with the broker's {@link PublishEncoder}
 * (header into a pooled buffer, payload wrapped, not copied). The topic is
 * {@code site/42/dev/123/temp}; QoS 1.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private static final String TOPIC = "site/42/dev/123/temp";

    @Param({"16", "4096"})
    public int payload;

    @Param({"false", "true"})
    public boolean mqtt5;

    private EmbeddedChannel decoderChannel;
    private ByteBuf encodedPublish;
    private PublishEncoder.Publish publish;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] body = new byte[payload];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        publish = new PublishEncoder.Publish(TOPIC, 4711, 1, false, false, body, PublishProperties.NONE, -1,
            new int[0], 0);
        ByteBuf once = PublishEncoder.encode(alloc, publish, mqtt5);
        encodedPublish = alloc.directBuffer(once.readableBytes());
        encodedPublish.writeBytes(once);
        once.release();

        decoderChannel = new EmbeddedChannel(new MqttDecoder(1024 * 1024, 128));
        // the decoder reads the protocol version from the channel, set by a CONNECT: send one first
        ByteBuf connect = alloc.buffer();
        byte[] id = "bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int remaining = 2 + 4 + 1 + 1 + 2 + (mqtt5 ? 1 : 0) + 2 + id.length;
        connect.writeByte(0x10).writeByte(remaining).writeShort(4).writeBytes("MQTT".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII)).writeByte(mqtt5 ? 5 : 4).writeByte(0x02).writeShort(60);
        if (mqtt5) {
            connect.writeByte(0);
        }
        connect.writeShort(id.length).writeBytes(id);
        decoderChannel.writeInbound(connect);
        Object c = decoderChannel.readInbound();
        io.netty.util.ReferenceCountUtil.release(c);
        // make sure the benchmark decodes a real PUBLISH, not a failure
        decoderChannel.writeInbound(encodedPublish.retainedDuplicate());
        Object m = decoderChannel.readInbound();
        try {
            if (!(m instanceof MqttPublishMessage p) || !p.decoderResult().isSuccess()
                || p.payload().readableBytes() != payload) {
                throw new IllegalStateException("the PUBLISH did not decode: " + m);
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(m);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decoderChannel.finishAndReleaseAll();
        encodedPublish.release();
    }

    /** Decodes one PUBLISH: @return its packet id, so the work cannot be skipped. */
    @Benchmark
    public int decodePublish() {
        decoderChannel.writeInbound(encodedPublish.retainedDuplicate());
        MqttPublishMessage m = decoderChannel.readInbound();
        int id = m.variableHeader().packetId() + m.payload().readableBytes();
        m.release();
        return id;
    }

    /** Encodes one PUBLISH for one subscriber and releases it, as writing it to a socket would. */
    @Benchmark
    public int encodePublish() {
        ByteBuf b = PublishEncoder.encode(alloc, publish, mqtt5);
        int size = b.readableBytes();
        b.release();
        return size;
    }
}
