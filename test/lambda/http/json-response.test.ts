import { jsonResponse } from '../../../lambda/http/json-response';

describe('jsonResponse', () => {
  it('serialises the body as JSON and merges extra headers after the content type', () => {
    // Act
    const response = jsonResponse(202, { ok: true }, { 'Retry-After': '1' });

    // Assess
    expect(response).toEqual({
      statusCode: 202,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
      body: '{"ok":true}',
    });
  });
});
