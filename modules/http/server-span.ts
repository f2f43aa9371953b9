import { SpanStatusCode } from '@opentelemetry/api'
import { type ActiveSpan, OK_STATUS } from '../../runtime/tracing'

/** Ends a request's span with the response status (a streamed response: when it starts). */
export function endServerSpan(span: ActiveSpan, r: Response | Promise<Response>): void {
  if (r instanceof Response) finishServerSpan(span, r)
  else
    r.then(
      (res) => finishServerSpan(span, res),
      (err) => {
        // Bun answers a route whose response promise rejects with a 500.
        span.setAttribute('http.response.status_code', 500)
        span.fail(err)
        span.end()
      },
    )
}

function finishServerSpan(span: ActiveSpan, res: Response): void {
  span.setAttribute('http.response.status_code', res.status)
  if (res.status < 500) span.setStatus(OK_STATUS)
  else if (span.status !== 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` })
  span.end()
}
