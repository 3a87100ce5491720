import ReactMarkdown from 'react-markdown'
import remarkGfm from 'remark-gfm'
import CodeBlock from './CodeBlock.jsx'
import { blockedImageHref, isOwnOriginImage } from '../../lib/markdownImages.js'

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
  // Only the app's own images load (lib/markdownImages.js); others become a link.
  img({ src, alt }) {
    if (isOwnOriginImage(src)) return <img src={src} alt={alt ?? ''} loading="lazy" />
    const href = blockedImageHref(src)
    const label = `${alt || 'image'} (external image not loaded)`
    return href ? (
      <a href={href} target="_blank" rel="noreferrer noopener" data-testid="blocked-image">
        {label}
      </a>
    ) : (
      <span data-testid="blocked-image">{label}</span>
    )
  },
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
