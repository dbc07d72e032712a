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
 * Builds the pipeline of every client connection. The decoder refuses a packet larger than the
 * configured maximum before buffering it: the remaining length is checked when the fixed header is
 * read.
 */
public final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final BrokerServices services;

    public MqttChannelInitializer(BrokerServices services) {
        this.services = services;
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
        LimitsConfig limits = services.config().limits();
        pipeline
            .addLast(HandlerNames.CONNECT_CHECK, new ConnectPropertyCheck(limits.maxPacketSize()))
            .addLast(HandlerNames.SUBSCRIBE_CHECK, new SubscribeOptionsCheck(limits.maxPacketSize()))
            .addLast(HandlerNames.DECODER, new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()))
            .addLast(HandlerNames.ENCODER, MqttEncoder.INSTANCE)
            .addLast(HandlerNames.CONNECTION, new MqttConnectionHandler(services));
    }
}
