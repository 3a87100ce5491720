import ReactMarkdown from 'react-markdown'
import remarkGfm from 'remark-gfm'
import CodeBlock from './CodeBlock.jsx'

// Code fences in the answer text render highlighted; inline code stays inline.
const components = {
  pre: ({ children }) => <>{children}</>,
  code({ className, children, ...props }) {
    const lang = /language-([\w+-]+)/.exec(className ?? '')?.[1]
    const text = String(children ?? '')
    if (!lang && !text.includes('\n')) {
      return (
        <code className={className} {...props}>
          {children}
        </code>
      )
    }
    return <CodeBlock code={text} language={lang ?? 'text'} />
  },
  a: ({ children, ...props }) => (
    <a {...props} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
}

export default function Markdown({ children }) {
  return (
    <div className="kepler-prose" data-testid="message-body">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {children ?? ''}
      </ReactMarkdown>
    </div>
  )
}
