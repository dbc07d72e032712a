package io.stratus.broker.auth.jwt;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body up to a size limit and gives up (cancelling the download) as soon as the
 * body grows past it, so a hostile or broken endpoint cannot make the broker buffer without bound.
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int maxBytes;
    private final Exception refusal;
    private Flow.Subscription subscription;

    private BoundedBodySubscriber(int maxBytes, Exception refusal) {
        this.maxBytes = maxBytes;
        this.refusal = refusal;
    }

    /**
     * A handler that accepts only a 200 response whose body fits {@code maxBytes}; for anything else
     * the body fails with a {@link KeysUnavailableException} saying why.
     */
    static HttpResponse.BodyHandler<byte[]> handler(int maxBytes) {
        return info -> {
            if (info.statusCode() != 200) {
                return new BoundedBodySubscriber(0, new KeysUnavailableException("HTTP status " + info.statusCode()));
            }
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                return new BoundedBodySubscriber(0, tooLarge(maxBytes));
            }
            return new BoundedBodySubscriber(maxBytes, null);
        };
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (refusal != null) {
            s.cancel();
            body.completeExceptionally(refusal);
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            if (buffer.size() + (long) item.remaining() > maxBytes) {
                subscription.cancel();
                body.completeExceptionally(tooLarge(maxBytes));
                return;
            }
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            buffer.writeBytes(chunk);
        }
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        body.complete(buffer.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    private static KeysUnavailableException tooLarge(int maxBytes) {
        return new KeysUnavailableException("document larger than " + maxBytes + " bytes");
    }
}
