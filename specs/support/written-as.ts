// The bytes a rating must be written as, stated independently of our encoder so specs can check it: JSON
// as Python's json.dumps(event, separators=(',', ':')) writes it, a whole-star rating with its `.0`.

/** What our producers must put on the wire for `event`. */
export function writtenAs(event: {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}): string {
  return JSON.stringify(event).replace(/"rating":(\d+)([,}])/, '"rating":$1.0$2');
}
