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
 * still comes is read and dropped by servlet non-blocking IO, up to
 * {@link RequestParameters#MAX_DRAINED_BYTES} and within the body deadline; then the request
 * completes and the connection closes.
 */
final class UnreadBody implements ReadListener, AsyncListener {

  /** Set on a request whose body Portcullis reads itself ({@link BodyReader}). */
  static final String TAKEN = "portcullis.body_taken";

  private static final System.Logger LOG = System.getLogger(UnreadBody.class.getName());

  private final AsyncContext async;
  private final ServletInputStream in;
  private final byte[] buffer = new byte[4096];
  private final AtomicBoolean completed = new AtomicBoolean();
  private long drained;

  private UnreadBody(AsyncContext async, ServletInputStream in) {
    this.async = async;
    this.in = in;
  }

  /**
   * After the answer: drains what is left of the body, if there is one, nobody read it and the
   * request can go async. Call it on the request's own thread, once the chain has returned.
   */
  static void drainAfterAnswer(HttpServletRequest request, HttpServletResponse response, Duration deadline) {
    if (request.getAttribute(TAKEN) != null || request.isAsyncStarted() || !request.isAsyncSupported()) {
      return;
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
      int n = in.read(buffer);
      if (n < 0) {
        return; // onAllDataRead follows
      }
      drained += n;
      if (drained >= RequestParameters.MAX_DRAINED_BYTES) {
        complete(); // enough: a client sending more than this is not waiting for an answer
        return;
      }
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

  @Override
  public void onTimeout(AsyncEvent event) {
    complete();
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
