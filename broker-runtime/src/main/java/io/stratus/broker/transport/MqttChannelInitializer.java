package io.stratus.broker.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.stratus.broker.codec.ConnectPropertyCheck;
import io.stratus.broker.codec.SubscribeOptionsCheck;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.protocol.BrokerServices;
import io.stratus.broker.protocol.MqttConnectionHandler;

/**
 * Builds the pipeline of every client connection: the listener's transport handlers (PROXY protocol,
 * TLS, WebSocket), then the MQTT handlers, which are the same for every listener. The decoder refuses
 * a packet larger than the configured maximum before buffering it: the remaining length is checked
 * when the fixed header is read.
 */
public final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final BrokerServices services;
    private final TransportPipeline transport;

    /** An initializer of the MQTT handlers alone, for a pipeline no listener feeds (tests). */
    public MqttChannelInitializer(BrokerServices services) {
        this(services, null);
    }

    /**
     * @param transport the transport handlers of the listener whose connections this initializes;
     *                  null for none
     */
    public MqttChannelInitializer(BrokerServices services, TransportPipeline transport) {
        this.services = services;
        this.transport = transport;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        configure(ch.pipeline());
    }

    /**
     * Builds a connection's pipeline. Separate from {@link #initChannel} so that tests can build the
     * very same pipeline on an embedded channel, which is not a socket channel.
     */
    public void configure(ChannelPipeline pipeline) {
        services.channels().add(pipeline.channel());
        addTransportHandlers(pipeline);
        LimitsConfig limits = services.config().limits();
        pipeline
            .addLast(HandlerNames.CONNECT_CHECK, new ConnectPropertyCheck(limits.maxPacketSize()))
            .addLast(HandlerNames.SUBSCRIBE_CHECK, new SubscribeOptionsCheck(limits.maxPacketSize()))
            .addLast(HandlerNames.DECODER, new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()))
            .addLast(HandlerNames.ENCODER, MqttEncoder.INSTANCE)
            .addLast(HandlerNames.CONNECTION, new MqttConnectionHandler(services));
    }

    /** Adds the listener's transport handlers, which go before the MQTT ones; none without a listener. */
    public void addTransportHandlers(ChannelPipeline pipeline) {
        if (transport != null) {
            transport.addHandlers(pipeline);
        }
    }
}
