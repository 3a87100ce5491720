import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import Markdown from '../components/chat/Markdown.jsx'
import { blockedImageHref, isOwnOriginImage } from './markdownImages.js'

const ORIGIN = 'https://kepler.example'

describe('isOwnOriginImage', () => {
  it('allows the app origin, relative paths, data:image and the page’s blob: URLs', () => {
    expect(isOwnOriginImage('/api/agent/files/1/raw', ORIGIN)).toBe(true)
    expect(isOwnOriginImage('chart.png', ORIGIN)).toBe(true)
    expect(isOwnOriginImage(`${ORIGIN}/x.png`, ORIGIN)).toBe(true)
    expect(isOwnOriginImage('data:image/png;base64,AAAA', ORIGIN)).toBe(true)
    expect(isOwnOriginImage(`blob:${ORIGIN}/5f0c`, ORIGIN)).toBe(true)
  })

  it('refuses every other origin, protocol-relative URLs, other ports and schemes', () => {
    for (const src of [
      'https://evil.example/leak.png?q=secret',
      '//evil.example/leak.png',
      'https://kepler.example:8443/x.png',
      'http://kepler.example/x.png',
      'blob:https://evil.example/5f0c',
      'data:text/html,<b>x</b>',
      'javascript:alert(1)',
      '',
      undefined,
    ]) {
      expect(isOwnOriginImage(src, ORIGIN), String(src)).toBe(false)
    }
  })

  it('refuses everything but data:image when the page origin is unknown', () => {
    expect(isOwnOriginImage('/x.png', undefined)).toBe(false)
    expect(isOwnOriginImage('data:image/gif;base64,R0lG', undefined)).toBe(true)
  })

  it('offers only http(s) links for blocked images', () => {
    expect(blockedImageHref('https://evil.example/a.png')).toBe('https://evil.example/a.png')
    expect(blockedImageHref('javascript:alert(1)')).toBe(null)
  })
})

describe('Markdown images', () => {
  const render = (text) => renderToStaticMarkup(createElement(Markdown, null, text))

  it('renders an external image as a link, never an <img>', () => {
    const html = render('Look: ![the secret](https://evil.example/leak.png?d=secret)')
    expect(html).not.toContain('<img')
    expect(html).toContain('data-testid="blocked-image"')
    expect(html).toContain('href="https://evil.example/leak.png?d=secret"')
    expect(html).toContain('the secret')
  })

  it('loads an image from the app itself', () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    try {
      const html = render('![chart](/api/agent/files/1/raw)')
      expect(html).toContain('<img')
      expect(html).toContain('src="/api/agent/files/1/raw"')
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
