import { METRIC_MAX_BYTES, MetricEvent, metricInvariants } from '../../contracts/metric.ts';
import { RATING_MAX_BYTES, RatingEvent } from '../../contracts/rating.ts';
import { createDecoder, type DecodeOptions, type EventContract } from './decode.ts';

/** The rating event contract as the decoder needs it. */
export const RATING_CONTRACT: EventContract<RatingEvent> = {
  schema: RatingEvent,
  maxBytes: RATING_MAX_BYTES,
};

/** The metric event contract as the decoder needs it. */
export const METRIC_CONTRACT: EventContract<MetricEvent> = {
  schema: MetricEvent,
  maxBytes: METRIC_MAX_BYTES,
  invariants: metricInvariants,
};

/** Strict rating decoder (unknown fields rejected) unless told otherwise. */
export const decodeRating = (options: Partial<DecodeOptions> = {}) => createDecoder(RATING_CONTRACT, options);

/** Strict metric decoder. */
export const decodeMetric = (options: Partial<DecodeOptions> = {}) => createDecoder(METRIC_CONTRACT, options);
