import { describe, expect, it } from 'vitest';
import { type RenderContext, renderChart, TemplateError } from './helm-template.js';

/** The subset renderer behaves as Helm does on what the chart uses, and refuses what it does not support. */

const context = (values: unknown): RenderContext => ({
  Values: values,
  Release: { Name: 'rel', Namespace: 'ns', Service: 'Helm' },
  Chart: { Name: 'chart', Version: '1.2.3', AppVersion: '4.5.6' },
});

const render = (template: string, values: unknown = {}, helpers = ''): string =>
  renderChart({ templates: { '_helpers.tpl': helpers, 'out.yaml': template } }, context(values))['out.yaml'] ?? '';

describe('helm-template subset renderer', () => {
  it('prints values and built-in objects, a missing key as nothing', () => {
    expect(
      render('a: {{ .Values.a }} r: {{ .Release.Name }} c: {{ .Chart.AppVersion }} m: {{ .Values.nope }}', { a: 1 }),
    ).toBe('a: 1 r: rel c: 4.5.6 m: ');
  });

  it('trims whitespace on the side of a dash, and drops comments', () => {
    expect(render('a:\n  {{- " b" }}\n{{/* gone */}}c: {{ "d" -}}   \n\n  e')).toBe('a: b\nc: de');
  });

  it('takes the first true branch of if / else if / else, by Go truthiness', () => {
    const template = '{{ if .Values.a }}A{{ else if .Values.b }}B{{ else }}C{{ end }}';
    expect(render(template, { a: 'x' })).toBe('A');
    expect(render(template, { a: '', b: [1] })).toBe('B');
    expect(render(template, { a: 0, b: {} })).toBe('C');
    expect(render('{{ if and .Values.a (eq .Values.b "x") }}Y{{ else }}N{{ end }}', { a: true, b: 'x' })).toBe('Y');
    expect(render('{{ if or .Values.a (not .Values.b) }}Y{{ else }}N{{ end }}', { a: false, b: true })).toBe('N');
    expect(render('{{ if gt (int "3") 1 }}Y{{ end }}{{ if lt 2 1 }}N{{ end }}{{ if ne 1 2 }}!{{ end }}')).toBe('Y!');
  });

  it('ranges over lists and over maps in key order, with variables, dot and $', () => {
    expect(render('{{ range .Values.list }}[{{ . }}]{{ end }}', { list: ['a', 'b'] })).toBe('[a][b]');
    expect(
      render('{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }}:{{ $.Values.x }};{{ end }}', {
        map: { b: 2, a: 1 },
        x: 'X',
      }),
    ).toBe('a=1:X;b=2:X;');
    expect(render('{{ range $item := .Values.list }}{{ $item.n }}{{ end }}', { list: [{ n: 1 }, { n: 2 }] })).toBe(
      '12',
    );
    expect(render('{{ range .Values.none }}x{{ else }}empty{{ end }}')).toBe('empty');
  });

  it('includes defined templates with a context, and pipes into default, quote, toYaml and nindent', () => {
    const helpers = '{{- define "greet" -}}hi {{ .name }}{{- end -}}';
    expect(render('{{ include "greet" .Values }}', { name: 'ann' }, helpers)).toBe('hi ann');
    expect(render('{{ .Values.a | default "z" }}{{ default "y" .Values.b }}', { a: '', b: 'b' })).toBe('zb');
    expect(render('{{ .Values.a | quote }}', { a: 'say "hi"' })).toBe('"say \\"hi\\""');
    expect(render('k:\n  {{- toYaml .Values.m | nindent 2 }}', { m: { b: [1, 2], a: 'x' } })).toBe(
      'k:\n  b:\n    - 1\n    - 2\n  a: x',
    );
    expect(render('{{ "a\\nb" | indent 2 }}')).toBe('  a\n  b');
  });

  it('fails as Helm does: required on nil or "", fail, a field of nil', () => {
    expect(() => render('{{ required "need a" .Values.a }}', { a: '' })).toThrow(new TemplateError('need a'));
    expect(render('{{ required "need a" .Values.a | toYaml }}', { a: [] })).toBe('[]');
    expect(() => render('{{ fail "stop" }}')).toThrow('stop');
    expect(() => render('{{ .Values.a.b }}')).toThrow(/nil pointer evaluating \.Values\.a\.b/);
  });

  it('refuses what it does not implement rather than guessing', () => {
    expect(() => render('{{ printf "%s" .Values.a }}')).toThrow(/function "printf" is not supported/);
    expect(() => render('{{ with .Values.a }}x{{ end }}')).toThrow(/not supported/);
    expect(() => render('{{ if .Values.a }}x')).toThrow(/missing \{\{ end \}\}/);
    expect(() => render('{{ .Values.m }}', { m: { a: 1 } })).toThrow(/toYaml/);
    expect(() => render('{{ $nope }}')).toThrow(/undefined variable/);
    expect(() => render('{{ .Values.a ')).toThrow(/never closed/);
  });
});
