/**
 * The real OTLP receiver of `@tracium/otel`'s tests (decoding with the protobufjs code generated
 * from the official protos), started per test and closed after it.
 */
import {
  type OtlpReceiver,
  type ReceivedSpan,
  type Responder,
  startOtlpReceiver,
} from '../../otel/test/otlp-receiver.js'
import { onCleanup } from './helpers.js'

export type { OtlpReceiver, ReceivedSpan, Responder }

/** A receiver on 127.0.0.1, closed after the test. */
export async function receiver(respond?: Responder): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(respond)
  onCleanup(() => started.close())
  return started
}

/** The first received span named `name`. */
export function spanNamed(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.find((s) => s.name === name)
  if (found === undefined) throw new Error(`no span named ${name} in ${spans.map((s) => s.name)}`)
  return found
}
