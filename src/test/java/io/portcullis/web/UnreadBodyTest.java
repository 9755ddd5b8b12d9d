package io.portcullis.web;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnreadBodyTest {

  final HttpServletRequest request = mock(HttpServletRequest.class);
  final HttpServletResponse response = mock(HttpServletResponse.class);
  final ServletInputStream in = mock(ServletInputStream.class);
  final AsyncContext async = mock(AsyncContext.class);

  UnreadBodyTest() throws Exception {
    when(request.isAsyncSupported()).thenReturn(true);
    when(request.getContentLengthLong()).thenReturn(16_000L);
    when(request.getInputStream()).thenReturn(in);
    when(request.startAsync(any(), any())).thenReturn(async);
  }

  @Test
  void anUnreadBodyIsDrainedAfterTheAnswerIsFlushed() throws Exception {
    UnreadBody.Watched watched = new UnreadBody.Watched(response);
    UnreadBody.drainAfterAnswer(request, watched, Duration.ofSeconds(2));
    verify(response).setHeader("Connection", "close");
    verify(request).startAsync(request, watched);
    verify(async).setTimeout(2000);
    verify(response).flushBuffer();
    verify(in).setReadListener(any());
  }

  @Test
  void aPendingSendErrorIsNotHeldBackBehindADrain() throws Exception {
    UnreadBody.Watched watched = new UnreadBody.Watched(response);
    watched.sendError(405);
    UnreadBody.drainAfterAnswer(request, watched, Duration.ofSeconds(2));
    verify(request, never()).startAsync(any(), any());
    verify(in, never()).setReadListener(any());
  }

  @Test
  void aBodyPortcullisTookOrThatWasReadIsLeftAlone() throws Exception {
    when(request.getAttribute(UnreadBody.TAKEN)).thenReturn(Boolean.TRUE);
    UnreadBody.drainAfterAnswer(request, response, Duration.ofSeconds(2));
    when(request.getAttribute(UnreadBody.TAKEN)).thenReturn(null);
    when(in.isFinished()).thenReturn(true);
    UnreadBody.drainAfterAnswer(request, response, Duration.ofSeconds(2));
    when(in.isFinished()).thenReturn(false);
    when(request.getContentLengthLong()).thenReturn(-1L);
    UnreadBody.drainAfterAnswer(request, response, Duration.ofSeconds(2)); // no body at all
    verify(request, never()).startAsync(any(), any());
  }
}
