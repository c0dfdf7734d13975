import { describe, expect, it } from 'vitest';
import { renderTemplate, UnsupportedTemplate } from './helm-template.fixture.js';

const values = {
  Values: { a: { b: 'x', empty: '', n: 3, on: true, off: false, list: ['p', 'q'], map: { k: 'v', j: 1 }, none: [] } },
  Release: { Name: 'r', Namespace: 'ns' },
};

describe('helm-template renderer', () => {
  it('trims white space, newlines included, on the marked side only', () => {
    expect(renderTemplate('a  \n  {{- .Values.a.b }}  \n', values)).toBe('ax  \n');
    expect(renderTemplate('a  {{ .Values.a.b -}} \n\n b', values)).toBe('a  xb');
    expect(renderTemplate('a{{/* note */}}b {{- /* trimmed */ -}} c', values)).toBe('abc');
  });

  it('reads a minus without a following space as part of a number, not a trim marker', () => {
    expect(renderTemplate('a {{-3}}', values)).toBe('a -3');
  });

  it('renders if, else and range with $ for the root inside the range', () => {
    const source = '{{- range .Values.a.list }}\n- {{ . }}/{{ $.Release.Name }}{{ end }}';
    expect(renderTemplate(source, values)).toBe('\n- p/r\n- q/r');
    expect(renderTemplate('{{ if .Values.a.none }}yes{{ else }}no{{ end }}', values)).toBe('no');
    expect(renderTemplate('{{ if .Values.a.empty }}yes{{ else }}no{{ end }}', values)).toBe('no');
    expect(renderTemplate('{{ if .Values.a.map }}yes{{ end }}', values)).toBe('yes');
    expect(renderTemplate('{{ if not .Values.a.off }}yes{{ end }}', values)).toBe('yes');
  });

  it('includes named templates with their own dot and pipes through nindent, quote, default, join and toYaml', () => {
    const defines = '{{- define "t.l" -}}\nname: {{ .Release.Name }}\nns: {{ .Release.Namespace }}\n{{- end }}';
    expect(renderTemplate('m:\n  {{- include "t.l" . | nindent 2 }}', values, defines)).toBe('m:\n  name: r\n  ns: ns');
    expect(renderTemplate('{{ .Values.a.on | quote }} {{ .Values.a.n | quote }}', values)).toBe('"true" "3"');
    expect(renderTemplate('{{ .Values.a.empty | default "d" }} {{ .Values.a.b | default "d" }}', values)).toBe('d x');
    expect(renderTemplate('{{ join "," .Values.a.list | quote }} {{ join "," .Values.a.none | quote }}', values)).toBe(
      '"p,q" ""',
    );
    expect(renderTemplate('{{ toYaml .Values.a.map | indent 2 }}', values)).toBe('  j: 1\n  k: v');
    expect(renderTemplate('{{ "{{" }} x }}', values)).toBe('{{ x }}');
  });

  it.each([
    ['a with block', '{{ with .Values.a }}{{ end }}'],
    ['tpl', '{{ tpl .Values.a.b . }}'],
    ['a function it does not know', '{{ .Values.a.b | upper }}'],
    ['parentheses', '{{ default (.Values.a.b) "x" }}'],
    ['a variable', '{{ $x := .Values.a.b }}'],
    ['else if', '{{ if .Values.a.on }}{{ else if .Values.a.off }}{{ end }}'],
    ['range with else', '{{ range .Values.a.list }}{{ else }}{{ end }}'],
    ['a missing value', '{{ .Values.a.missing }}'],
    ['a map printed as text', '{{ .Values.a.map }}'],
    ['a number Helm would print in e-notation', '{{ 1000000 }}'],
    ['a wrong number of arguments', '{{ quote .Values.a.b .Values.a.b }}'],
    ['an unclosed action', '{{ .Values.a.b '],
    ['a missing end', '{{ if .Values.a.on }}x'],
    ['a comment not right after the delimiter', '{{ /* note */ }}'],
  ])('fails loudly on %s', (_what, source) => {
    expect(() => renderTemplate(source, values)).toThrow(UnsupportedTemplate);
  });
});
