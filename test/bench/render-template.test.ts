import { renderTemplate } from '../../bench/render-template';

describe('renderTemplate', () => {
  it('fills each placeholder with the value of its section', () => {
    expect(renderTemplate('a {{x.one}} and {{y.two}}', { x: { one: '1' }, y: { two: '2' } })).toBe(
      'a 1 and 2',
    );
  });

  it('keeps a block of a measured section and drops its inverted block, tag lines included', () => {
    const template = '# T\n{{#x}}\nmeasured {{x.one}}\n{{/x}}\n{{^x}}\nNot measured.\n{{/x}}\nend\n';
    expect(renderTemplate(template, { x: { one: '1' } })).toBe('# T\nmeasured 1\nend\n');
  });

  it('drops the block of a section that was not measured and keeps its inverted block', () => {
    const template = '# T\n{{#x}}\nmeasured {{x.one}}\n{{/x}}\n{{^x}}\nNot measured.\n{{/x}}\nend\n';
    expect(renderTemplate(template, { x: undefined })).toBe('# T\nNot measured.\nend\n');
  });

  it('removes a line that holds only a placeholder whose value is empty', () => {
    expect(renderTemplate('a\n{{x.note}}\nb\n', { x: { note: '' } })).toBe('a\nb\n');
    expect(renderTemplate('a\n{{x.note}}\nb\n', { x: { note: '> note\n' } })).toBe('a\n> note\n\nb\n');
  });

  it('refuses a placeholder without a value', () => {
    expect(() => renderTemplate('{{x.one}} {{x.missing}}', { x: { one: '1' } })).toThrow(
      'no value for {{x.missing}}',
    );
  });

  it('refuses a placeholder of an unmeasured section outside its block', () => {
    expect(() => renderTemplate('{{x.one}}', { x: undefined })).toThrow('x was not measured');
  });

  it('refuses a value that the template does not use', () => {
    expect(() => renderTemplate('{{x.one}}', { x: { one: '1', two: '2' } })).toThrow(
      'value x.two is not used by the template',
    );
  });

  it('refuses a section the sections do not know', () => {
    expect(() => renderTemplate('{{x.one}} {{#z}}text{{/z}}', { x: { one: '1' } })).toThrow(
      'unknown section "z"',
    );
  });
});
