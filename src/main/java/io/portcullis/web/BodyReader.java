package io.portcullis.web;

import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.RequestContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body without holding a container thread while the client sends it (Servlet
 * non-blocking IO, {@link ReadListener}), within one deadline for the whole body, and then hands
 * the complete body to the endpoint on a container thread.
 *
 * <p>So a slow client — one byte every few seconds, from hundreds of connections — holds no
 * thread: everything else keeps being answered. What can go wrong is answered by the endpoint's
 * own error rendering, never by the container's error page:
 * <ul>
 *   <li>a declared {@code Content-Length} above {@link RequestParameters#MAX_BODY_BYTES}: 413 at
 *       once, before reading any of it;
 *   <li>a body that grows past the limit (chunked): 413 as soon as it does;
 *   <li>a body not complete within the deadline: 400 {@code invalid_request};
 *   <li>a body cut off (the connection ends before its declared length): 400
 *       {@code invalid_request}, if anyone is still there to read it.
 * </ul>
 * Each refusal closes the connection, since the rest of the body is never used. After a 413 the
 * rest is still read and dropped, up to {@link RequestParameters#MAX_DRAINED_BYTES} and within
 * the deadline: a client still sending when the connection closes would get a reset that can
 * destroy the answer it has not read yet. Where a filter of another webapp in front does not
 * support async processing, the body is read the blocking way.
 */
final class BodyReader implements ReadListener, AsyncListener {

  /** What the endpoint does with a complete body; runs on a container thread. */
  @FunctionalInterface
  interface Handler {
    void handle(byte[] body) throws IOException;
  }

  /** How the endpoint answers a body it cannot have: its JSON or its error page. */
  @FunctionalInterface
  interface Refusal {
    void refuse(OAuthException problem) throws IOException;
  }

  private static final System.Logger LOG = System.getLogger(BodyReader.class.getName());
  private static final AtomicBoolean WARNED_SYNC = new AtomicBoolean();

  private final AsyncContext async;
  private final ServletInputStream in;
  private final Duration deadline;
  private final Handler handler;
  private final Refusal refusal;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final byte[] buffer = new byte[4096];
  /** Set once the body is handled or refused: exactly one of them runs. */
  private final AtomicBoolean done = new AtomicBoolean();
  /** Set once the request is completed, by the answer or after the drain that follows a 413. */
  private final AtomicBoolean completed = new AtomicBoolean();
  /** After a 413: the answer is out, what still comes is read and dropped. */
  private volatile boolean draining;
  private long drained;

  private BodyReader(AsyncContext async, ServletInputStream in, Duration deadline, Handler handler,
      Refusal refusal) {
    this.async = async;
    this.in = in;
    this.deadline = deadline;
    this.handler = handler;
    this.refusal = refusal;
  }

  /** Reads the body of {@code request}, then calls {@code handler}, or {@code refusal} when it cannot. */
  static void read(HttpServletRequest request, HttpServletResponse response, Duration deadline, Handler handler,
      Refusal refusal) throws IOException {
    request.setAttribute(UnreadBody.TAKEN, Boolean.TRUE);
    if (!request.isAsyncSupported()) {
      if (!WARNED_SYNC.getAndSet(true)) {
        LOG.log(System.Logger.Level.WARNING, "a filter in front of Portcullis does not support async requests, so "
            + "request bodies are read the blocking way, without a deadline: slow clients can hold threads");
      }
      byte[] bytes;
      try {
        bytes = RequestParameters.readBody(request);
      } catch (OAuthException e) {
        refusal.refuse(e);
        return;
      }
      handler.handle(bytes);
      return;
    }
    long declared = request.getContentLengthLong();
    byte[] arrived = null;
    if (declared >= 0 && declared <= RequestParameters.MAX_BODY_BYTES) {
      // Usually the whole (small) body came with the headers: take what the container already
      // holds without waiting for anything, and answer on this thread. Only a body still on its
      // way goes through the non-blocking reading below.
      byte[] bytes = new byte[(int) declared];
      int have;
      try {
        have = readArrived(request.getInputStream(), bytes);
      } catch (IOException cutOff) {
        answerNow(request, response, refusal, () -> {
          response.setHeader("Connection", "close");
          refusal.refuse(OAuthException.invalidRequest("the request body ended before its declared Content-Length"));
        });
        return;
      }
      if (have == declared) {
        answerNow(request, response, refusal, () -> handler.handle(bytes));
        return;
      }
      arrived = java.util.Arrays.copyOf(bytes, have);
    }
    AsyncContext async = request.startAsync(request, response);
    async.setTimeout(deadline.toMillis());
    BodyReader reader = new BodyReader(async, request.getInputStream(), deadline, handler, refusal);
    async.addListener(reader);
    if (declared > RequestParameters.MAX_BODY_BYTES) {
      reader.refuse(RequestParameters.tooLarge()); // at once, before any of it is read
    } else if (arrived != null) {
      reader.body.write(arrived, 0, arrived.length);
    }
    reader.in.setReadListener(reader);
  }

  /**
   * Fills {@code bytes} with what has already arrived, never waiting: {@code available()} counts
   * only what the container holds. Returns how many bytes it read; an early end of the body is an
   * {@link IOException}.
   */
  private static int readArrived(ServletInputStream in, byte[] bytes) throws IOException {
    int have = 0;
    while (have < bytes.length && in.available() > 0) {
      int n = in.read(bytes, have, bytes.length - have);
      if (n < 0) {
        throw new java.io.EOFException("the body ended early");
      }
      have += n;
    }
    return have;
  }

  /** Answers on the calling container thread, as {@link #finish} does on the listener's. */
  private static void answerNow(HttpServletRequest request, HttpServletResponse response, Refusal refusal, Step step) {
    try {
      step.run();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, RequestContext.tag() + "request abandoned while answering: " + e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + "request failed unexpectedly", e);
      if (!response.isCommitted()) {
        try {
          response.reset();
          RequestIdFilter.answerWith(request, response);
          refusal.refuse(OAuthException.serverError("the authorization server failed; try again later"));
        } catch (IOException | RuntimeException ignored) {
          // nothing left to try
        }
      }
    }
  }

  // ---- ReadListener ----

  @Override
  public void onDataAvailable() throws IOException {
    while (!completed.get() && in.isReady()) {
      int n = in.read(buffer);
      if (n < 0) {
        return; // onAllDataRead follows
      }
      if (draining) {
        drained += n;
        if (drained >= RequestParameters.MAX_DRAINED_BYTES) {
          complete(); // enough: a client sending more than this is not waiting for an answer
          return;
        }
      } else if (done.get()) {
        return;
      } else if (body.size() + n > RequestParameters.MAX_BODY_BYTES) {
        refuse(RequestParameters.tooLarge());
      } else {
        body.write(buffer, 0, n);
      }
    }
  }

  @Override
  public void onAllDataRead() {
    if (draining) {
      complete();
    } else {
      finish(() -> handler.handle(body.toByteArray()));
    }
  }

  @Override
  public void onError(Throwable problem) {
    if (draining) {
      complete();
    } else {
      // The connection broke or ended before the declared length, or the chunked framing broke.
      refuse(OAuthException.invalidRequest(async.getRequest().getContentLengthLong() >= 0
          ? "the request body ended before its declared Content-Length"
          : "the request body's chunked framing is broken, or it ended before its last chunk"));
    }
  }

  // ---- AsyncListener ----

  @Override
  public void onTimeout(AsyncEvent event) {
    if (draining) {
      complete();
    } else {
      refuse(OAuthException.invalidRequest("the request body did not arrive within " + deadline.getSeconds()
          + " seconds"));
    }
  }

  @Override
  public void onError(AsyncEvent event) {
    if (draining) {
      complete();
    } else {
      refuse(OAuthException.invalidRequest("the request could not be read"));
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    // nothing to release
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted
  }

  // ---- once ----

  private void refuse(OAuthException problem) {
    boolean tooLarge = problem.status() == 413;
    finish(() -> {
      HttpServletResponse response = (HttpServletResponse) async.getResponse();
      response.setHeader("Connection", "close");
      refusal.refuse(problem);
      if (tooLarge) {
        response.flushBuffer(); // the answer goes out now; the drain that follows is only for the connection
        draining = true;
      }
    }, !tooLarge);
  }

  private interface Step {
    void run() throws IOException;
  }

  private void finish(Step step) {
    finish(step, true);
  }

  /** Runs the one answer; completes the request then, unless a drain is to follow it. */
  private void finish(Step step, boolean thenComplete) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    boolean complete = thenComplete;
    // On a container thread of its own: the request's id for what it logs.
    String before = RequestContext.enter(RequestIdFilter.of(async.getRequest()));
    try {
      step.run();
    } catch (IOException e) {
      // The client is gone: nothing more can be told to anyone.
      LOG.log(System.Logger.Level.DEBUG, RequestContext.tag() + "request abandoned while answering: " + e);
      complete = true;
    } catch (RuntimeException e) {
      // The endpoints answer their own failures; this is a last resort, never a container page.
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + "request failed unexpectedly", e);
      complete = true;
      HttpServletResponse response = (HttpServletResponse) async.getResponse();
      if (!response.isCommitted()) {
        try {
          response.reset();
          RequestIdFilter.answerWith(async.getRequest(), response);
          refusal.refuse(OAuthException.serverError("the authorization server failed; try again later"));
        } catch (IOException | RuntimeException ignored) {
          // nothing left to try
        }
      }
    } finally {
      if (complete) {
        complete();
      }
      RequestContext.leave(before);
    }
  }

  private void complete() {
    if (completed.compareAndSet(false, true)) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyCompleted) {
        // the container completed it after an error of its own
      }
    }
  }
}
