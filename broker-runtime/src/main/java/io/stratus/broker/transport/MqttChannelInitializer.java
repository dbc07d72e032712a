package io.stratus.broker.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
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
        services.channels().add(ch);
        LimitsConfig limits = services.config().limits();
        ch.pipeline()
            .addLast(HandlerNames.DECODER, new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()))
            .addLast(HandlerNames.ENCODER, MqttEncoder.INSTANCE)
            .addLast(HandlerNames.CONNECTION, new MqttConnectionHandler(services));
    }
}
