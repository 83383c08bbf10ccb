package org.aspd.pipeline.llmjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server on 127.0.0.1 for whole-job runs, speaking the OpenAI chat-completions or the
 * Ollama {@code /api/chat} protocol and answering from a script. Unlike the teacher tests' server it
 * is sized for jobs: it counts requests per body (SHA-256 of the bytes: everything that is sent is
 * cache-relevant), can answer after a fixed delay, and stops answering after {@code maxRequests} so a
 * retry loop fails the run instead of spinning.
 */
final class FakeProvider implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK server leaves Nagle's algorithm on: the body, written after the headers, then waits for
    // the client's delayed ACK (about 40 ms per call on Linux). Real LLM servers set TCP_NODELAY, so
    // this one must too, before the JDK server reads its configuration (once per JVM).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  enum Protocol { OPENAI, OLLAMA }

  /** One received request; {@code attempt} counts requests with the same body, this one included. */
  record Request(int number, String path, JsonNode body, String bodyHash, int attempt) {
    List<JsonNode> messages() {
      List<JsonNode> out = new ArrayList<>();
      body.path("messages").forEach(out::add);
      return out;
    }

    String system() {
      List<JsonNode> m = messages();
      return m.isEmpty() ? "" : m.get(0).path("content").asText();
    }

    /** Whether this is a corrective re-ask (the model's earlier reply is part of the conversation). */
    boolean isReask() {
      return messages().stream().anyMatch(m -> m.path("role").asText().equals("assistant"));
    }

    String lastUser() {
      List<JsonNode> m = messages();
      return m.isEmpty() ? "" : m.get(m.size() - 1).path("content").asText();
    }
  }

  /** When one answered request arrived and when its answer was sent (System.nanoTime). */
  record Timing(Request request, long startNanos, long endNanos) {}

  /** What to send back. */
  sealed interface Reply permits Json, Hang, Cut {}

  record Json(int status, String body, Map<String, String> headers) implements Reply {}

  /** Never answer (until the server closes): the client's timeout fires first. */
  record Hang() implements Reply {}

  /** Announce a longer body than sent, then close: a truncated response. */
  record Cut(String body) implements Reply {}

  interface Script {
    Reply answer(Request request, FakeProvider server);
  }

  private final Protocol protocol;
  private final Script script;
  private final long delayMillis;
  private final int maxRequests;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-provider");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicInteger count = new AtomicInteger();
  private final Map<String, AtomicInteger> perBody = new ConcurrentHashMap<>();
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private final AtomicLong firstArrivalNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAnswerNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicLong openNanos = new AtomicLong();
  private final List<Timing> timings = new CopyOnWriteArrayList<>();

  FakeProvider(Protocol protocol, Script script, long delayMillis, int maxRequests) throws IOException {
    this.protocol = protocol;
    this.script = script;
    this.delayMillis = delayMillis;
    this.maxRequests = maxRequests;
    // A deep accept backlog: a job opens up to maxInFlight connections at once per stage.
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  Protocol protocol() {
    return protocol;
  }

  /** Base URL as the teacher config wants it (OpenAI-compatible URLs end in /v1). */
  String baseUrl() {
    String root = "http://127.0.0.1:" + server.getAddress().getPort();
    return protocol == Protocol.OLLAMA ? root : root + "/v1";
  }

  int requests() {
    return count.get();
  }

  List<Request> received() {
    return List.copyOf(received);
  }

  /** Requests per body hash, sorted by hash. */
  Map<String, Integer> countsByBody() {
    Map<String, Integer> out = new TreeMap<>();
    perBody.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Successful answers sent so far. */
  int answered() {
    return answered.get();
  }

  /** Seconds from the first request's arrival to the last answer sent; 0 before any answer. */
  double activeSeconds() {
    long first = firstArrivalNanos.get();
    long last = lastAnswerNanos.get();
    return last < first ? 0 : (last - first) / 1e9;
  }

  /** Every request answered with 200, with its arrival and answer times. */
  List<Timing> timings() {
    return List.copyOf(timings);
  }

  /** The most requests the server held at once. */
  int maxConcurrent() {
    return maxOpen.get();
  }

  /** Mean requests held at once over {@link #activeSeconds()}: the client's achieved concurrency. */
  double meanConcurrent() {
    double active = activeSeconds();
    return active == 0 ? 0 : openNanos.get() / 1e9 / active;
  }

  Reply chat(String content) {
    return chat(content, "stop");
  }

  /** A successful chat reply in this server's protocol. */
  Reply chat(String content, String finishReason) {
    ObjectNode body = JSON.createObjectNode();
    if (protocol == Protocol.OPENAI) {
      body.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1).put("model", "m");
      ObjectNode choice = body.putArray("choices").addObject();
      choice.put("index", 0).put("finish_reason", finishReason);
      choice.putObject("message").put("role", "assistant").put("content", content);
      body.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
    } else {
      body.put("model", "m").put("created_at", "2026-01-01T00:00:00Z").put("done", true)
          .put("done_reason", finishReason).put("prompt_eval_count", 100).put("eval_count", 20);
      body.putObject("message").put("role", "assistant").put("content", content);
    }
    return new Json(200, body.toString(), Map.of());
  }

  static Reply status(int status, String body, Map<String, String> headers) {
    return new Json(status, body, headers);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    try (exchange) {
      respond(exchange);
    } finally {
      open.decrementAndGet();
      openNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private void respond(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try {
      firstArrivalNanos.accumulateAndGet(System.nanoTime(), Math::min);
      byte[] in = exchange.getRequestBody().readAllBytes();
      int n = count.incrementAndGet();
      if (n > maxRequests) {
        send(exchange, new Json(500, "{\"error\":\"test server request budget exhausted\"}", Map.of()));
        return;
      }
      String hash = sha256(in).substring(0, 16);
      int attempt = perBody.computeIfAbsent(hash, k -> new AtomicInteger()).incrementAndGet();
      Request request = new Request(n, exchange.getRequestURI().getPath(),
          JSON.readTree(new String(in, StandardCharsets.UTF_8)), hash, attempt);
      received.add(request);
      Reply reply = script.answer(request, this);
      if (delayMillis > 0 && closing.await(delayMillis, TimeUnit.MILLISECONDS)) {
        return; // closing: drop the answer
      }
      send(exchange, reply);
      if (reply instanceof Json j && j.status() == 200) {
        timings.add(new Timing(request, start, System.nanoTime()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A script bug: answer 400 (not retried) with the cause, visible in the test's dead letters.
      exchange.sendResponseHeaders(400, -1);
      System.err.println("fake provider script failed: " + e);
    }
  }

  private void send(HttpExchange exchange, Reply reply) throws IOException, InterruptedException {
    if (reply instanceof Hang) {
      closing.await(30, TimeUnit.SECONDS);
      return;
    }
    boolean cut = reply instanceof Cut;
    String body = cut ? ((Cut) reply).body() : ((Json) reply).body();
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (reply instanceof Json j) {
      j.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    }
    // A cut reply announces 100 bytes more than it sends, then the exchange closes.
    exchange.sendResponseHeaders(cut ? 200 : ((Json) reply).status(), out.length + (cut ? 100L : 0L));
    OutputStream os = exchange.getResponseBody();
    os.write(out);
    os.flush();
    if (!cut) {
      os.close();
      if (((Json) reply).status() == 200) {
        answered.incrementAndGet();
      }
    }
    lastAnswerNanos.accumulateAndGet(System.nanoTime(), Math::max);
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
