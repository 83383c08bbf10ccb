package org.aspd.teacher.llm.call;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP client handed to LangChain4j's chat models (its {@code httpClientBuilder} hook). It does
 * what LangChain4j's JDK client does for a synchronous call, plus one thing: on an error status it
 * keeps the {@code Retry-After} header (see {@link ProviderHttpException}), which LangChain4j's own
 * client discards. Streaming is never used by the teacher.
 */
final class HeaderAwareHttpClient implements HttpClient {
  private static final int MAX_ERROR_BODY = 2000;

  private final java.net.http.HttpClient delegate;
  private final Duration readTimeout;

  private HeaderAwareHttpClient(Builder builder) {
    java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder()
        // HTTP/1.1 keeps plain-text local servers (vLLM, llama.cpp, Ollama) away from h2c upgrades.
        .version(java.net.http.HttpClient.Version.HTTP_1_1);
    if (builder.connectTimeout != null) {
      b.connectTimeout(builder.connectTimeout);
    }
    this.delegate = b.build();
    this.readTimeout = builder.readTimeout;
  }

  static Builder builder() {
    return new Builder();
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    try {
      java.net.http.HttpResponse<String> response = exchange(toJdk(request));
      int status = response.statusCode();
      if (status < 200 || status >= 300) {
        String body = response.body() == null ? "" : response.body();
        throw new ProviderHttpException(status,
            body.length() > MAX_ERROR_BODY ? body.substring(0, MAX_ERROR_BODY) : body,
            response.headers().firstValue("Retry-After").orElse(null));
      }
      return SuccessfulHttpResponse.builder()
          .statusCode(status)
          .headers(response.headers().map())
          .body(response.body())
          .build();
    } catch (HttpTimeoutException e) {
      throw new TimeoutException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the provider", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The whole exchange within the timeout. The JDK's request timeout only bounds the wait for the
   * response headers: a server that sent them and then stalled in the body held the call, and the
   * run, forever.
   */
  private java.net.http.HttpResponse<String> exchange(java.net.http.HttpRequest request)
      throws IOException, InterruptedException {
    if (readTimeout == null) {
      return delegate.send(request, BodyHandlers.ofString());
    }
    CompletableFuture<java.net.http.HttpResponse<String>> pending = delegate.sendAsync(request, BodyHandlers.ofString());
    try {
      return pending.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      pending.cancel(true); // since JDK 16 this aborts the exchange and frees its connection
      throw new HttpTimeoutException("no complete response within " + readTimeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      pending.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) throw io;
      if (cause instanceof RuntimeException re) throw re;
      throw new IOException(cause);
    }
  }

  @Override
  public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    throw new UnsupportedOperationException("the LLM teacher never streams");
  }

  private java.net.http.HttpRequest toJdk(HttpRequest request) {
    if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
      throw new UnsupportedOperationException("multipart requests are not used by the LLM teacher");
    }
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder().uri(URI.create(request.url()));
    request.headers().forEach((name, values) -> {
      if (values != null) {
        values.forEach(v -> b.header(name, v));
      }
    });
    b.method(request.method().name(), request.body() == null
        ? java.net.http.HttpRequest.BodyPublishers.noBody()
        : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
    if (readTimeout != null) {
      b.timeout(readTimeout);
    }
    return b.build();
  }

  static final class Builder implements HttpClientBuilder {
    private Duration connectTimeout;
    private Duration readTimeout;

    @Override
    public Duration connectTimeout() {
      return connectTimeout;
    }

    @Override
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    @Override
    public Duration readTimeout() {
      return readTimeout;
    }

    @Override
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    @Override
    public HttpClient build() {
      return new HeaderAwareHttpClient(this);
    }
  }
}
