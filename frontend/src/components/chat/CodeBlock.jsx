import { Highlight } from 'prism-react-renderer'
import CopyButton from './CopyButton.jsx'

// Colours come from CSS variables (index.css) so the theme follows dark mode.
const theme = {
  plain: { color: 'var(--tok-plain)', backgroundColor: 'transparent' },
  styles: [
    { types: ['comment', 'prolog', 'doctype', 'cdata'], style: { color: 'var(--tok-comment)', fontStyle: 'italic' } },
    { types: ['keyword', 'boolean', 'important', 'atrule'], style: { color: 'var(--tok-keyword)' } },
    { types: ['string', 'char', 'attr-value', 'regex', 'inserted'], style: { color: 'var(--tok-string)' } },
    { types: ['number', 'constant', 'symbol'], style: { color: 'var(--tok-number)' } },
    { types: ['function', 'class-name'], style: { color: 'var(--tok-function)' } },
    { types: ['builtin', 'decorator', 'tag', 'property'], style: { color: 'var(--tok-builtin)' } },
    { types: ['operator', 'punctuation'], style: { color: 'var(--tok-operator)' } },
    { types: ['deleted'], style: { color: 'var(--tok-keyword)' } },
  ],
}

/** Read-only, highlighted code with a Copy button. */
export default function CodeBlock({ code, language = 'python', testId, maxHeight = 'max-h-96' }) {
  const text = (code ?? '').replace(/\n+$/, '')
  return (
    <div
      className="group relative overflow-hidden rounded-lg border border-neutral-200 bg-neutral-50 dark:border-neutral-800 dark:bg-neutral-950"
      data-testid={testId}
    >
      <div className="flex items-center justify-between border-b border-neutral-200 px-3 py-1 text-[11px] uppercase tracking-wide text-neutral-500 dark:border-neutral-800 dark:text-neutral-400">
        <span>{language}</span>
        <CopyButton text={text} />
      </div>
      <Highlight code={text} language={language} theme={theme}>
        {({ className, style, tokens, getLineProps, getTokenProps }) => (
          <pre
            className={`${className} ${maxHeight} overflow-auto px-3 py-2 font-mono text-[12.5px] leading-5`}
            style={style}
          >
            {tokens.map((line, i) => (
              <div key={i} {...getLineProps({ line })}>
                {line.map((token, key) => (
                  <span key={key} {...getTokenProps({ token })} />
                ))}
              </div>
            ))}
          </pre>
        )}
      </Highlight>
    </div>
  )
}
