package org.aspd.teacher.llm;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aspd.teacher.llm.prompt.PromptTemplate;

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions or Ollama {@code /api/chat}
 * protocol, answering from a per-test script. It records every request and refuses to answer more
 * than {@link #MAX_REQUESTS}, so a retry bug fails the test instead of looping.
 */
final class FakeLlmServer implements AutoCloseable {
  static final int MAX_REQUESTS = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Protocol { OPENAI, OLLAMA, ANTHROPIC }

  /** One received request. */
  record Request(int number, String path, Map<String, List<String>> headers, JsonNode body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase());
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<JsonNode> messages() {
      List<JsonNode> out = new ArrayList<>();
      body.path("messages").forEach(out::add);
      return out;
    }

    /** The system prompt: the first message, or Anthropic's top-level {@code system}. */
    String system() {
      return body.has("system") ? text(body.get("system")) : text(messages().get(0).path("content"));
    }

    String lastUser() {
      List<JsonNode> m = messages();
      return text(m.get(m.size() - 1).path("content"));
    }

    /** Content as a string, or Anthropic's list of text blocks joined. */
    private static String text(JsonNode content) {
      if (!content.isArray()) {
        return content.asText();
      }
      StringBuilder out = new StringBuilder();
      content.forEach(block -> out.append(block.path("text").asText()));
      return out.toString();
    }

    /** Which prompt file produced this request: rewrite, independence, format or answer. */
    String prompt() {
      for (String name : List.of("rewrite", "independence", "format", "answer")) {
        if (PromptTemplate.load(name).system().equals(system())) {
          return name;
        }
      }
      return "unknown";
    }

    boolean isReask() {
      return messages().stream().anyMatch(m -> m.path("role").asText().equals("assistant"));
    }
  }

  /** What to send back. */
  sealed interface Reply permits Json, Hang, Cut, Stall {}

  record Json(int status, String body, Map<String, String> headers) implements Reply {}

  /** Never answer (until the server closes): the client's timeout fires first. */
  record Hang() implements Reply {}

  /** Announce a longer body than sent, then close: a truncated response. */
  record Cut(String body) implements Reply {}

  /** Send the headers and the start of the body, then stall (until the server closes). */
  record Stall(String body) implements Reply {}

  /** Answers one request; {@code server} builds replies in its protocol. */
  interface Script {
    Reply answer(Request request, FakeLlmServer server);
  }

  private final Protocol protocol;
  private final Script script;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicInteger count = new AtomicInteger();
  private final List<Request> received = new CopyOnWriteArrayList<>();

  FakeLlmServer(Protocol protocol, Script script) throws IOException {
    this.protocol = protocol;
    this.script = script;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  static FakeLlmServer openAi(Script script) throws IOException {
    return new FakeLlmServer(Protocol.OPENAI, script);
  }

  static FakeLlmServer ollama(Script script) throws IOException {
    return new FakeLlmServer(Protocol.OLLAMA, script);
  }

  static FakeLlmServer anthropic(Script script) throws IOException {
    return new FakeLlmServer(Protocol.ANTHROPIC, script);
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

  /** A successful chat reply in this server's protocol. */
  Reply chat(String content) {
    return chat(content, "stop");
  }

  Reply chat(String content, String finishReason) {
    ObjectNode body = JSON.createObjectNode();
    if (protocol == Protocol.OPENAI) {
      body.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1).put("model", "m");
      ObjectNode choice = body.putArray("choices").addObject();
      choice.put("index", 0).put("finish_reason", finishReason);
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      if (content == null) {
        message.putNull("content");
      } else {
        message.put("content", content);
      }
      body.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
    } else if (protocol == Protocol.ANTHROPIC) {
      body.put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "m")
          .put("stop_reason", finishReason.equals("length") ? "max_tokens" : "end_turn");
      body.putArray("content").addObject().put("type", "text").put("text", content == null ? "" : content);
      body.putObject("usage").put("input_tokens", 100).put("output_tokens", 20);
    } else {
      body.put("model", "m").put("created_at", "2026-01-01T00:00:00Z").put("done", true)
          .put("done_reason", finishReason).put("prompt_eval_count", 100).put("eval_count", 20);
      body.putObject("message").put("role", "assistant").put("content", content == null ? "" : content);
    }
    return new Json(200, body.toString(), Map.of());
  }

  static Reply status(int status, String body, Map<String, String> headers) {
    return new Json(status, body, headers);
  }

  Reply verdict(String verdict, String reason) {
    return chat("{\"verdict\": \"" + verdict + "\", \"reason\": \"" + reason + "\"}");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] in = exchange.getRequestBody().readAllBytes();
      int n = count.incrementAndGet();
      if (n > MAX_REQUESTS) {
        send(exchange, new Json(500, "{\"error\":\"test server request budget exhausted\"}", Map.of()));
        return;
      }
      Map<String, List<String>> headers = new java.util.HashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
      Request request = new Request(n, exchange.getRequestURI().getPath(), headers,
          JSON.readTree(new String(in, StandardCharsets.UTF_8)));
      received.add(request);
      send(exchange, script.answer(request, this));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(HttpExchange exchange, Reply reply) throws IOException, InterruptedException {
    if (reply instanceof Hang) {
      closing.await(30, TimeUnit.SECONDS);
      return;
    }
    if (reply instanceof Stall stall) {
      byte[] start = stall.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, start.length + 100_000L);
      exchange.getResponseBody().write(start);
      exchange.getResponseBody().flush();
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
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
