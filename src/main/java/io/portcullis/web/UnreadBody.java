package io.portcullis.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of a request that was answered without reading it — a refusal, a page, metadata, a
 * route that ignores bodies — drained without holding a thread.
 *
 * <p>Left alone, a container reads and drops such a body itself once the answer is out, the
 * blocking way: Tomcat holds a worker thread for as long as the client takes to send it, so a
 * few hundred clients trickling bodies to {@code /health}, or to any refused request, would hold
 * every thread. Here the answer goes out at once (with {@code Connection: close}), and what
 * still comes is read and dropped by servlet non-blocking IO until the body ends (then the
 * request completes) or the body deadline passes (then the container ends the request as timed
 * out and closes the connection, without reading the rest itself).
 */
final class UnreadBody implements ReadListener, AsyncListener {

  /** Set on a request whose body Portcullis reads itself ({@link BodyReader}). */
  static final String TAKEN = "portcullis.body_taken";

  private static final System.Logger LOG = System.getLogger(UnreadBody.class.getName());

  private final AsyncContext async;
  private final ServletInputStream in;
  private final byte[] buffer = new byte[4096];
  private final AtomicBoolean completed = new AtomicBoolean();

  private UnreadBody(AsyncContext async, ServletInputStream in) {
    this.async = async;
    this.in = in;
  }

  /**
   * A response that remembers whether {@code sendError} was called on it: the container writes
   * such an answer only once the request ends, so draining first would hold the answer back until
   * the drain is over.
   */
  static final class Watched extends jakarta.servlet.http.HttpServletResponseWrapper {
    private volatile boolean errorSent;

    Watched(HttpServletResponse response) {
      super(response);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
      errorSent = true;
      super.sendError(status, message);
    }

    @Override
    public void sendError(int status) throws IOException {
      errorSent = true;
      super.sendError(status);
    }
  }

  /**
   * After the answer: drains what is left of the body, if there is one, nobody read it and the
   * request can go async. Call it on the request's own thread, once the chain has returned.
   * {@code response} is the one the chain was given, {@link Watched} when it can be.
   */
  static void drainAfterAnswer(HttpServletRequest request, HttpServletResponse response, Duration deadline) {
    if (request.getAttribute(TAKEN) != null || request.isAsyncStarted() || !request.isAsyncSupported()) {
      return;
    }
    if (response instanceof Watched watched && watched.errorSent) {
      return; // the container's error page goes out when the request ends: not after a drain
    }
    if (request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null) {
      return;
    }
    try {
      ServletInputStream in = request.getInputStream();
      if (in.isFinished()) {
        return; // whoever answered read it
      }
      if (!response.isCommitted()) {
        response.setHeader("Connection", "close");
      }
      AsyncContext async = request.startAsync(request, response);
      async.setTimeout(deadline.toMillis());
      UnreadBody drain = new UnreadBody(async, in);
      async.addListener(drain);
      response.flushBuffer(); // the answer goes out now, not after the drain
      in.setReadListener(drain);
    } catch (IllegalStateException | IOException e) {
      // read through a Reader already, completed elsewhere, or the client is gone: nothing to drain
      LOG.log(System.Logger.Level.DEBUG, "request body not drained: " + e);
    }
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!completed.get() && in.isReady()) {
      if (in.read(buffer) < 0) {
        return; // onAllDataRead follows
      }
      // dropped; only the deadline ends a drain that has not reached the body's end
    }
  }

  @Override
  public void onAllDataRead() {
    complete();
  }

  @Override
  public void onError(Throwable problem) {
    complete();
  }

  /**
   * The deadline passed with the body still coming: not completed here. Completed normally, the
   * request would go back to the container with the rest of the body unread, and Tomcat would
   * read it on a worker thread, as slowly as it comes; left to time out, the container ends the
   * request as failed and closes the connection (the answer is out already).
   */
  @Override
  public void onTimeout(AsyncEvent event) {
    completed.set(true);
  }

  @Override
  public void onError(AsyncEvent event) {
    complete();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    // nothing to release
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted
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
